/** Golden traces replayed over HTTP against a real server (docs/fixtures.md, the comparison rule). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayAllOverHttp } from '../../src/replay/remote.ts';
import { summarise } from '../../src/replay/trace.ts';
import { classicTraces } from '../helpers.ts';
import { withServer } from './helpers.ts';

test('every seed-42 golden trace replays over HTTP with every number matching', async () => {
  const traces = classicTraces((name) => name.includes('-s42-'));
  assert.equal(traces.length, 54, '3 tasks × 18 policies');
  await withServer({}, async (server) => {
    const report = summarise(await replayAllOverHttp(traces, server.url, 6));
    const failures = report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.difference}`);
    assert.deepEqual(failures, []);
    assert.equal(report.matched, 54);
  });
});
