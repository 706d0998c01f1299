/** Golden traces replayed over HTTP against a real server (golden/README.md "Over HTTP"). */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { replayAllOverHttp } from '../../src/replay/remote.ts';
import { loadTraces, summarise } from '../../src/replay/trace.ts';
import { TRACES_DIR } from '../helpers.ts';
import { startServer } from './helpers.ts';

test('every seed-42 golden trace replays over HTTP with every number matching', async () => {
  const files = readdirSync(TRACES_DIR)
    .filter((f) => f.includes('-s42-'))
    .map((f) => path.join(TRACES_DIR, f));
  const traces = loadTraces(files);
  assert.equal(traces.length, 54, '3 tasks × 18 policies');
  const server = await startServer();
  try {
    const report = summarise(await replayAllOverHttp(traces, server.url, 6));
    const failures = report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.difference}`);
    assert.deepEqual(failures, []);
    assert.equal(report.matched, 54);
  } finally {
    await server.close();
  }
});
