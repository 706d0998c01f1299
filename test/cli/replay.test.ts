/**
 * `dataselectenv replay` as a user runs it: the bundled fixtures by default, another folder through
 * DATASELECTENV_FIXTURES or an argument, and a mismatch reported as such (exit 1).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT } from '../helpers.ts';
import { runCli } from './run-cli.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dse-replay-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('replay command', () => {
  it('without arguments replays every bundled trace of the three families (270 classic, 234 curation, 60 data-set)', async () => {
    const r = await runCli(['replay']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^fidelity: 564\/564 traces match$/m);
  });

  it('DATASELECTENV_FIXTURES points the default at another folder of bundles', async () => {
    const dir = path.join(tmp, 'only-classic');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    copyFileSync(path.join(REPO_ROOT, 'fixtures', 'classic.jsonl.gz'), path.join(dir, 'classic.jsonl.gz'));
    const r = await runCli(['replay', '--json'], { env: { DATASELECTENV_FIXTURES: dir } });
    const report = JSON.parse(r.stdout);
    assert.equal(report.total, 270);
    assert.equal(report.matched, 270);
    assert.deepEqual(report.skipped, [], 'no curation bundle in that folder');
  });

  it('a trace the environment does not reproduce is a MISMATCH line and exit 1', async () => {
    const lines = gunzipSync(readFileSync(path.join(REPO_ROOT, 'fixtures', 'classic.jsonl.gz'))).toString('utf8').split('\n');
    const entry = lines.map((l) => (l ? JSON.parse(l) : null)).find((e) => e?.path === 'traces/hard-s42-balanced_b10.json');
    const trace = JSON.parse(entry.text);
    trace.steps[2].reward += 1e-6;
    const file = path.join(tmp, 'hard-s42-perturbed.json');
    writeFileSync(file, JSON.stringify(trace));
    const r = await runCli(['replay', file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^MISMATCH hard-s42-perturbed: step t=2 reward: expected /m);
    assert.match(r.stdout, /^fidelity: 0\/1 traces match$/m);
  });
});
