/**
 * User errors on the command line: each is one `error [CODE/reason]: …` line on stderr (never a
 * stack trace), with exit code 2 for a wrong command line and 1 for a command that failed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT, freePort } from '../helpers.ts';
import { runCli, type CliResult } from './run-cli.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dse-cli-errors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Exactly one stderr line, in the documented shape, and nothing that looks like a stack. */
function assertOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], /^error \[[A-Z_]+\/[a-z_0-9]+\]: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
}

describe('CLI user errors are one line, never a stack trace', () => {
  it('replay: a missing path, a file that is not a trace, a folder without traces, a broken bundle', async () => {
    assertOneLineError(await runCli(['replay', path.join(tmp, 'nonexistent')]), 2, /INPUT_ERROR\/not_found.*no such file or directory/);
    assertOneLineError(await runCli(['replay', 'README.md']), 2, /INPUT_ERROR\/not_a_trace.*README\.md: not a golden trace/);
    const json = path.join(tmp, 'other.json');
    writeFileSync(json, '{"format": "something else"}');
    assertOneLineError(await runCli(['replay', json]), 2, /not_a_trace/);
    assertOneLineError(await runCli(['replay', 'src']), 2, /INPUT_ERROR\/no_traces.*src: holds no golden traces/);
    const bundle = path.join(tmp, 'broken.jsonl.gz');
    writeFileSync(bundle, 'not gzip at all');
    assertOneLineError(await runCli(['replay', bundle]), 2, /INPUT_ERROR\/not_a_bundle/);
    assertOneLineError(await runCli(['replay', '--concurrency', '0']), 2, /--concurrency must be an integer/);
    assertOneLineError(await runCli(['replay', '--url', 'not-a-url']), 2, /CONNECTION_ERROR\/invalid_url/);
  });

  it('replay: an unreadable trace file', { skip: process.getuid?.() === 0 ? 'running as root: permissions do not stop reading' : false }, async () => {
    const file = path.join(tmp, 'locked.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o000);
    assertOneLineError(await runCli(['replay', file]), 2, /INPUT_ERROR\/unreadable/);
  });

  it('replay --url against a server that is down says so once and exits 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(['replay', '--url', url]);
    assertOneLineError(r, 1, /CONNECTION_ERROR\/server_unreachable\]: server unreachable: .*ECONNREFUSED/);
    assert.doesNotMatch(r.stdout, /MISMATCH|fidelity/, 'no per-trace mismatches');
    const j = await runCli(['replay', '--url', url, '--json']);
    assert.equal(JSON.parse(j.stdout).error.reason, 'server_unreachable');
    assert.equal(j.code, 1);
  });

  it('unknown tasks and policies, wherever they are named, exit 2', async () => {
    assertOneLineError(await runCli(['bench', 'inproc', '--task', 'nope']), 2, /unknown task 'nope'/);
    assertOneLineError(await runCli(['eval', '--tasks', 'easy,nope', '--seeds', '0']), 2, /unknown task 'nope'/);
    assertOneLineError(await runCli(['agent', '--task', 'nope', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--api-key', 'x']), 2, /unknown task 'nope'/);
    assertOneLineError(await runCli(['eval', '--policy', 'nope', '--seeds', '0']), 2, /POLICY_ERROR\/unknown_policy/);
    assertOneLineError(await runCli(['eval', '--policy', './no-such-policy.ts', '--seeds', '0']), 2, /POLICY_ERROR\/load_failed/);
  });

  it('eval: --concurrency in process is refused with the reason; a file that cannot be written is one line', async () => {
    assertOneLineError(await runCli(['eval', '--concurrency', '4', '--seeds', '0']), 2, /--concurrency 4 needs --url/);
    assertOneLineError(await runCli(['eval', '--seeds', '0', '--tasks', 'hard', '--csv', path.join(tmp, 'no-dir', 'x.csv')]), 1, /IO_ERROR\/enoent.*no-dir/);
  });

  it('a reader that closes the pipe early (`eval --json | head -c 300`) ends the command quietly', async () => {
    // 400 episodes make a report far larger than a pipe's buffer, so the write meets the closed pipe.
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'dataselectenv.js'), 'eval', '--tasks', 'hard', '--seeds', '0..399', '--json'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let head = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      head += d.toString();
      if (head.length >= 300) child.stdout.destroy(); // what `head -c 300` does
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.ok(head.length >= 300, 'the reader got its bytes');
    assert.equal(stderr, '', 'nothing on stderr (no EPIPE trace)');
    assert.equal(code, 0);
  });
});

describe('baseline', () => {
  it('prints every score and figure to 4 decimals (the JSON keeps full precision)', async () => {
    const r = await runCli(['baseline']);
    assert.equal(r.code, 0);
    const rows = r.stdout.split('\n').filter((l) => /^(easy|medium|hard) /.test(l));
    assert.equal(rows.length, 3);
    for (const row of rows) {
      const reals = [...row.matchAll(/(?:score|total_reward|final_performance|_score|_ratio)[ =](-?\d+(?:\.\d+)?)/g)].map((m) => m[1]);
      assert.ok(reals.length >= 4, row);
      for (const x of reals) assert.match(x, /^-?\d+\.\d{4}$/, `${x} in: ${row}`);
    }
    assert.match(rows[0], /^easy +score 0\.7019 /);
    const json = JSON.parse((await runCli(['baseline', '--json'])).stdout);
    assert.equal(json.results.easy.score, 0.7018980399039016);
  });
});
