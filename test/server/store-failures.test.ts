/**
 * Store failures (issue 13 item 1): a step whose write fails is refused with 503
 * STORE_UNAVAILABLE and changes nothing, so the same step succeeds once the store is back — over
 * HTTP, WebSocket and MCP; /health says degraded and /ready 503 meanwhile; a refused final step
 * leaves nothing behind in memory; damaged reads are 503 store_corrupt, logged once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { EnvService } from '../../src/server/core.ts';
import { SessionManager } from '../../src/server/sessions.ts';
import { openSqliteStore } from '../../src/server/store/sqlite.ts';
import { FailingStore } from './store/failing.ts';
import { KEEP_ALL } from './store/suite.ts';
import { BALANCED, WsClient, get, post, startServer } from './helpers.ts';

const STOP = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function reference(task: string, seed: number) {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  const results = [];
  while (!env.done) results.push(wire(env.step(BALANCED)));
  return { results, grade: env.grade() };
}

async function withFailing(body: (s: Awaited<ReturnType<typeof startServer>>, store: FailingStore) => Promise<void>) {
  const store = new FailingStore(openSqliteStore({ file: ':memory:', retention: KEEP_ALL }));
  const s = await startServer({}, { store });
  try {
    await body(s, store);
  } finally {
    await s.close();
  }
}

describe('a write that fails changes nothing; the same step succeeds after recovery', () => {
  test('HTTP: 503 STORE_UNAVAILABLE on steps (the last included) and resets; degraded health; identical numbers after', () =>
    withFailing(async (s, store) => {
      const ref = reference('hard', 21);
      const id = (await post(s.url, '/reset', { task_id: 'hard', seed: 21 })).body.episode_id;
      const first = await post(s.url, '/step', { episode_id: id, action: BALANCED });
      assert.equal(first.body.reward.value, ref.results[0].reward);
      assert.equal((await get(s.url, '/ready')).status, 200);

      store.failWrites = true;
      for (let attempt = 0; attempt < 3; attempt++) {
        const refused = await post(s.url, '/step', { episode_id: id, action: BALANCED });
        assert.equal(refused.status, 503);
        assert.deepEqual([refused.body.code, refused.body.reason], ['STORE_UNAVAILABLE', 'store_unavailable']);
        assert.equal(typeof refused.body.detail, 'string');
      }
      const state = (await get(s.url, `/state?episode_id=${id}`)).body;
      assert.equal(state.step_count, 1, 'nothing of the refused steps was applied');
      assert.equal(state.remaining_budget, ref.results[0].observation.remaining_budget);
      const health = (await get(s.url, '/health')).body;
      assert.equal(health.status, 'degraded');
      assert.equal(health.store.status, 'unavailable');
      assert.match(health.store.reason, /disk is full/);
      const ready = await get(s.url, '/ready');
      assert.equal(ready.status, 503);
      assert.deepEqual([ready.body.code, ready.body.reason], ['STORE_UNAVAILABLE', 'store_unavailable']);
      const live = s.service.sessions.liveEpisodes;
      const reset = await post(s.url, '/reset', { task_id: 'easy', episode_id: 'while-failing' });
      assert.equal(reset.status, 503);
      assert.equal(s.service.sessions.liveEpisodes, live, 'a refused reset leaves no episode');

      store.failWrites = false;
      for (let k = 1; k < ref.results.length; k++) {
        const r = await post(s.url, '/step', { episode_id: id, action: BALANCED });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.reward.value, ref.results[k].reward, `step ${k + 1}`);
        assert.deepEqual(r.body.observation, ref.results[k].observation);
        // The final step fails once too: the episode stays unfinished and steppable.
        if (k === ref.results.length - 2) {
          store.failWrites = true;
          const last = await post(s.url, '/step', { episode_id: id, action: BALANCED });
          assert.equal(last.status, 503);
          assert.equal((await post(s.url, '/grader', { episode_id: id, task_id: 'hard' })).body.reason, 'episode_not_finished');
          assert.equal((await get(s.url, `/state?episode_id=${id}`)).body.done, false);
          store.failWrites = false;
        }
      }
      assert.equal((await get(s.url, '/health')).body.status, 'healthy', 'a successful write clears the state');
      assert.equal((await get(s.url, '/ready')).status, 200);
      const grade = (await post(s.url, '/grader', { episode_id: id, task_id: 'hard' })).body;
      assert.equal(grade.score, ref.grade.score);
      assert.equal((await get(s.url, `/episodes/${id}`)).body.steps.length, ref.results.length);
      assert.equal(s.service.sessions.liveEpisodes, 0);
      assert.equal((await post(s.url, '/reset', { task_id: 'easy', episode_id: 'while-failing' })).status, 200, 'the refused id is free');
    }));

  test('/ready recovers by itself: a probe write once the store works again', () =>
    withFailing(async (s, store) => {
      const id = (await post(s.url, '/reset', { task_id: 'hard' })).body.episode_id;
      store.failWrites = true;
      assert.equal((await post(s.url, '/step', { episode_id: id, action: BALANCED })).status, 503);
      assert.equal((await get(s.url, '/ready')).status, 503);
      store.failWrites = false;
      const deadline = Date.now() + 5000;
      let status = 503;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await get(s.url, '/ready')).status;
      }
      assert.equal(status, 200);
      assert.equal((await get(s.url, '/health')).body.status, 'healthy');
    }));

  test('WebSocket: an error frame, the connection stays, the retry continues; a refused last step leaves nothing in memory', () =>
    withFailing(async (s, store) => {
      const ref = reference('hard', 2);
      const ws = await WsClient.connect(`${s.wsUrl}/ws`);
      await ws.request({ type: 'reset', data: { task_id: 'hard', seed: 2 } });
      assert.equal((await ws.request({ type: 'step', data: BALANCED })).data.reward, ref.results[0].reward);
      store.failWrites = true;
      const refused = await ws.request({ type: 'step', data: BALANCED });
      assert.equal(refused.type, 'error');
      assert.deepEqual([refused.data.code, refused.data.reason], ['STORE_UNAVAILABLE', 'store_unavailable']);
      assert.equal((await ws.request({ type: 'state' })).data.step_count, 1);
      store.failWrites = false;
      const retried = await ws.request({ type: 'step', data: BALANCED });
      assert.equal(retried.data.reward, ref.results[1].reward);
      assert.deepEqual(retried.data.observation, ref.results[1].observation);
      // The stop that would finish the episode fails; then the connection goes away.
      store.failWrites = true;
      assert.equal((await ws.request({ type: 'step', data: STOP })).data.reason, 'store_unavailable');
      ws.close();
      await ws.closed;
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(s.service.sessions.liveEpisodes, 0, 'no finished-but-unsaved episode stays in memory');
      store.failWrites = false;
    }));

  test('MCP: a tool error with STORE_UNAVAILABLE; the retry continues', () =>
    withFailing(async (s, store) => {
      const ref = reference('medium', 42);
      const call = async (name: string, args: Record<string, unknown>) =>
        (await post(s.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } })).body.result;
      const started = await call('start_episode', { task_id: 'medium', seed: 42 });
      const id = started.structuredContent.episode_id;
      store.failWrites = true;
      const refused = await call('take_action', { ...BALANCED, episode_id: id });
      assert.equal(refused.isError, true);
      assert.deepEqual([refused.structuredContent.error.code, refused.structuredContent.error.reason], ['STORE_UNAVAILABLE', 'store_unavailable']);
      store.failWrites = false;
      const ok = await call('take_action', { ...BALANCED, episode_id: id });
      assert.equal(ok.isError, false);
      assert.equal(ok.structuredContent.step, 1);
      assert.equal(ok.structuredContent.reward, ref.results[0].reward);
    }));
});

describe('reads', () => {
  test('unavailable reads are 503 store_unavailable; damaged ones 503 store_corrupt, logged once', async () => {
    const store = new FailingStore(openSqliteStore({ file: ':memory:', retention: KEEP_ALL }));
    const logged: { level: string; msg: string }[] = [];
    const log = {
      error: (_o: object, msg: string) => logged.push({ level: 'error', msg }),
      warn: (_o: object, msg: string) => logged.push({ level: 'warn', msg }),
      info: (_o: object, msg: string) => logged.push({ level: 'info', msg }),
    };
    const service = new EnvService(new SessionManager({ maxSessions: 4, idleTimeoutMs: 0 }), store, { log });
    const { episode } = await service.reset({ task_id: 'hard', seed: 1, episode_id: null, label: null, split: null, index: null }, { kind: 'http' }, true);
    await service.step(episode, STOP as never);
    store.failReads = true;
    await assert.rejects(service.grade(episode.id, 'hard'), (e: any) => e.reason === 'store_unavailable');
    store.failReads = false;
    store.corruptReads = true;
    for (let i = 0; i < 5; i++) {
      await assert.rejects(service.grade(episode.id, 'hard'), (e: any) => e.code === 'STORE_UNAVAILABLE' && e.reason === 'store_corrupt');
      await assert.rejects(service.listEpisodes({ limit: 5 }), (e: any) => e.reason === 'store_corrupt');
    }
    assert.equal(service.health.state, 'corrupt');
    assert.deepEqual(
      logged.filter((l) => l.level === 'error').map((l) => l.msg),
      ['episode store unavailable', 'episode store damaged'],
      'each problem once, however many requests hit it',
    );
    store.corruptReads = false;
    await store.close();
  });
});
