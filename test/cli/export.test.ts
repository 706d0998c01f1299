/** `dataselectenv export` as a subprocess: from a store file and from a running server. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BALANCED, post, startServer, type TestServer } from '../server/helpers.ts';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dse-export-'));
const storeFile = path.join(dir, 'episodes.sqlite');
let ids: string[] = [];

async function playAll(server: TestServer): Promise<string[]> {
  const out = [];
  for (const [task, seed, label] of [['hard', 1, 'x'], ['easy', 2, 'y'], ['hard', 3, 'y']] as const) {
    const r = await post(server.url, '/reset', { task_id: task, seed, label });
    for (let done = false; !done; ) done = (await post(server.url, '/step', { episode_id: r.body.episode_id, action: BALANCED })).body.done;
    out.push(r.body.episode_id);
  }
  return out;
}

before(async () => {
  const server = await startServer({ STORE_PATH: storeFile });
  ids = await playAll(server);
  await server.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('export from a store file', () => {
  test('JSON Lines on stdout, newest first, filtered by task and label', async () => {
    const r = await runCli(['export', '--store-path', storeFile]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((x) => x.episode_id), [...ids].reverse());
    assert.ok(rows.every((x) => x.steps.length === x.step_count && x.grade.task_id === x.task_id));
    const hardY = await runCli(['export', '--store-path', storeFile, '--task', 'hard', '--label', 'y']);
    assert.deepEqual(hardY.stdout.trim().split('\n').map((l) => JSON.parse(l).episode_id), [ids[2]]);
  });

  test('--format openenv --out FILE --json prints a summary; bad flags are one-line errors', async () => {
    const out = path.join(dir, 'results.jsonl');
    const r = await runCli(['export', '--store-path', storeFile, '--format', 'openenv', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { episodes: 3, format: 'openenv', out });
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(rows.every((x) => Array.isArray(x.messages) && typeof x.reward === 'number' && typeof x.metrics.score === 'number'));
    for (const bad of [['--format', 'xml'], ['--since', 'soon'], ['--limit', '0'], ['--task', 'impossible']]) {
      const e = await runCli(['export', '--store-path', storeFile, ...bad]);
      assert.equal(e.code, 2, bad.join(' '));
      assert.equal(e.stderr.trim().split('\n').length, 1);
      assert.match(e.stderr, /^error \[USAGE_ERROR\/invalid_argument\]/);
    }
  });
});

describe('export from a server', () => {
  test('--url streams the server export (same lines as GET /episodes?format=jsonl)', async () => {
    const server = await startServer();
    try {
      const played = await playAll(server);
      const r = await runCli(['export', '--url', server.url, '--label', 'y']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).episode_id), [played[2], played[1]]);
      const direct = await (await fetch(`${server.url}/episodes?format=jsonl&label=y`)).text();
      assert.equal(r.stdout, direct);
    } finally {
      await server.close();
    }
    const down = await runCli(['export', '--url', 'http://127.0.0.1:9']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^error \[CONNECTION_ERROR\/unreachable\]/);
  });
});
