/**
 * Two servers over one SQLite file (what `--workers` does, and replicas do on PostgreSQL): an HTTP
 * episode stepped on both in turn gives the isolated numbers (each catches up from the log), and
 * /state is current on both. Idempotent retries (`step` in the /step body) on one server: the same
 * reply again, nothing applied twice, conflicts for anything else, 422 for a malformed number.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BALANCED_ACTION } from '../../src/env/baseline.ts';
import { DataSelectEnv } from '../../src/env/env.ts';
import type { Action } from '../../src/env/types.ts';
import { buildApp, type AppHandle } from '../../src/server/app.ts';
import { testConfig } from '../../src/server/config.ts';
import { get, post } from './helpers.ts';

const DIVERSE: Action = { action_type: 'select_batch', batch_size: 12, strategy_weights: { diversity: 0.7, random: 0.3 } };

function isolatedRewards(task: string, seed: number, actions: Action[]): number[] {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  return actions.map((a) => env.step(a).reward);
}

async function listen(file: string, replicaId: string): Promise<{ handle: AppHandle; url: string }> {
  const handle = await buildApp(testConfig({ STORE_PATH: file, REPLICA_ID: replicaId, WORKERS: 2 }));
  await handle.app.listen({ port: 0, host: '127.0.0.1' });
  const address = handle.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { handle, url: `http://127.0.0.1:${address.port}` };
}

describe('two servers over one SQLite file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-shared-'));
  let a: Awaited<ReturnType<typeof listen>>;
  let b: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    const file = path.join(dir, 'episodes.sqlite');
    a = await listen(file, 'a');
    b = await listen(file, 'b');
  });
  after(async () => {
    await a?.handle.app.close();
    await b?.handle.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('alternating steps catch up from the log: isolated numbers, current /state on both, /health names each', async () => {
    assert.equal((await get(a.url, '/health')).body.replica_id, 'a');
    assert.equal((await get(b.url, '/health')).body.replica_id, 'b');
    const actions = [BALANCED_ACTION, DIVERSE, DIVERSE, BALANCED_ACTION, DIVERSE];
    const expected = isolatedRewards('easy', 31, actions);
    const id = (await post(a.url, '/reset', { task_id: 'easy', seed: 31 })).body.episode_id;
    for (let t = 0; t < actions.length; t++) {
      const server = t % 2 === 0 ? b : a;
      const r = await post(server.url, '/step', { episode_id: id, action: actions[t] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.step, t + 1);
      assert.equal(r.body.reward.value, expected[t]);
      for (const s of [a, b]) assert.equal((await get(s.url, `/state?episode_id=${id}`)).body.step_count, t + 1);
    }
  });

  test('a copy that another server finished: episode_over, and a retry of the last step is answered from the log', async () => {
    const id = (await post(a.url, '/reset', { task_id: 'hard', seed: 8 })).body.episode_id;
    await post(a.url, '/step', { episode_id: id, action: BALANCED_ACTION });
    const stop = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
    const last = await post(b.url, '/step', { episode_id: id, action: stop, step: 2 });
    assert.equal(last.body.done, true);
    const over = await post(a.url, '/step', { episode_id: id, action: BALANCED_ACTION });
    assert.equal(over.status, 400);
    assert.equal(over.body.reason, 'episode_over');
    const retry = await post(a.url, '/step', { episode_id: id, action: stop, step: 2 });
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.body, last.body);
  });
});

describe('idempotent retries on one server', () => {
  let server: AppHandle;
  let url: string;
  before(async () => {
    server = await buildApp(testConfig());
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `http://127.0.0.1:${address.port}`;
  });
  after(() => server?.app.close());

  test('same number and action: the same reply, applied once; another action or a number not next: 409, nothing changes', async () => {
    const id = (await post(url, '/reset', { task_id: 'medium', seed: 3 })).body.episode_id;
    const first = await post(url, '/step', { episode_id: id, action: BALANCED_ACTION, step: 1 });
    assert.equal(first.status, 200);
    const second = await post(url, '/step', { episode_id: id, action: DIVERSE, step: 2 });
    // Weights in another key order are the same action.
    const reordered = { ...BALANCED_ACTION, strategy_weights: { random: 0.2, diversity: 0.4, uncertainty: 0.4 } };
    const again = await post(url, '/step', { episode_id: id, action: reordered, step: 1 });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual((await post(url, '/step', { episode_id: id, action: DIVERSE, step: 2 })).body, second.body);
    assert.equal((await get(url, `/state?episode_id=${id}`)).body.step_count, 2);
    for (const [action, n] of [[DIVERSE, 1], [BALANCED_ACTION, 4]] as const) {
      const r = await post(url, '/step', { episode_id: id, action, step: n });
      assert.equal(r.status, 409, `step ${n}`);
      assert.equal(r.body.code, 'CONFLICT');
      assert.equal(r.body.reason, 'step_conflict');
    }
    assert.equal((await get(url, `/state?episode_id=${id}`)).body.step_count, 2);
    const third = await post(url, '/step', { episode_id: id, action: DIVERSE, step: 3 });
    assert.equal(third.status, 200);
    assert.equal(third.body.reward.value, isolatedRewards('medium', 3, [BALANCED_ACTION, DIVERSE, DIVERSE])[2]);
  });

  test('a malformed step number is 422 at body.step, before anything happens', async () => {
    const id = (await post(url, '/reset', { task_id: 'easy', seed: 1 })).body.episode_id;
    for (const bad of [0, -1, 1.5, '1', true]) {
      const r = await post(url, '/step', { episode_id: id, action: BALANCED_ACTION, step: bad });
      assert.equal(r.status, 422, JSON.stringify(bad));
      assert.deepEqual(r.body.detail[0].loc, ['body', 'step']);
    }
    assert.equal((await get(url, `/state?episode_id=${id}`)).body.step_count, 0);
  });
});
