/**
 * WebSocket /ws (docs/protocol.md §7, D12): error frames for every malformed message with the
 * connection kept open, binary frames, the size limit (1009), capacity (1013) and idle reaping
 * (SESSION_ERROR then 1001), and the §7.5 order of checks.
 */
import assert from 'node:assert/strict';
import { DataSelectEnv } from '../../src/env/env.ts';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { BALANCED, WsClient, get, post, serverForSuite, startServer, withServer } from './helpers.ts';

const server = serverForSuite({ MAX_WS_MESSAGE_BYTES: 4096 });

function assertErrorFrame(frame: any, code: string, reason: string) {
  assert.equal(frame.type, 'error', JSON.stringify(frame));
  assert.equal(frame.data.code, code);
  assert.equal(frame.data.reason, reason);
  assert.equal(typeof frame.data.message, 'string');
}

describe('malformed messages get error frames, the connection stays open (D12)', () => {
  test('non-JSON, non-objects, missing/unknown type, bad reset data, bad steps', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    assertErrorFrame(await ws.request('not json'), 'INVALID_JSON', 'invalid_json');
    assertErrorFrame(await ws.request('{"type": "reset", "data": {"seed": NaN}}'), 'INVALID_JSON', 'invalid_json');
    assertErrorFrame(await ws.request('[1, 2]'), 'INVALID_JSON', 'invalid_json');
    assertErrorFrame(await ws.request('null'), 'INVALID_JSON', 'invalid_json');
    assertErrorFrame(await ws.request('42'), 'INVALID_JSON', 'invalid_json');
    assertErrorFrame(await ws.request({ data: {} }), 'UNKNOWN_TYPE', 'unknown_type');
    const unknown = await ws.request({ type: 'ping' });
    assertErrorFrame(unknown, 'UNKNOWN_TYPE', 'unknown_type');
    assert.match(unknown.data.message, /'ping'/);
    assertErrorFrame(await ws.request({ type: 5 }), 'UNKNOWN_TYPE', 'unknown_type');
    // Step checks (§7.5): action first, then the episode.
    const noData = await ws.request({ type: 'step' });
    assertErrorFrame(noData, 'VALIDATION_ERROR', 'invalid_action');
    assert.deepEqual(noData.data.errors[0].loc, ['data']);
    assertErrorFrame(await ws.request({ type: 'step', data: null }), 'VALIDATION_ERROR', 'invalid_action');
    const badWeights = await ws.request({ type: 'step', data: { ...BALANCED, strategy_weights: { greedy: 1 } } });
    assertErrorFrame(badWeights, 'VALIDATION_ERROR', 'invalid_action');
    assert.deepEqual(badWeights.data.errors[0].loc, ['data', 'strategy_weights', 'greedy']);
    const noEpisode = await ws.request({ type: 'step', data: BALANCED });
    assertErrorFrame(noEpisode, 'EXECUTION_ERROR', 'no_episode');
    assert.equal(noEpisode.data.message, 'No active episode. Send a reset message first.');
    // State before any reset: the all-null state.
    const state = await ws.request({ type: 'state', data: {} });
    assert.deepEqual(state, { type: 'state', data: { episode_id: null, task_id: null, step_count: 0, done: false, remaining_budget: null, current_performance: null, pool_size: null } });
    // Reset problems.
    const badSeed = await ws.request({ type: 'reset', data: { seed: -5 } });
    assertErrorFrame(badSeed, 'VALIDATION_ERROR', 'invalid_request');
    assert.deepEqual(badSeed.data.errors[0].loc, ['data', 'seed']);
    assertErrorFrame(await ws.request({ type: 'reset', data: { seed: 'abc' } }), 'VALIDATION_ERROR', 'invalid_request');
    assertErrorFrame(await ws.request({ type: 'reset', data: 'easy' }), 'VALIDATION_ERROR', 'invalid_request');
    assertErrorFrame(await ws.request({ type: 'reset', data: { task_id: 7 } }), 'VALIDATION_ERROR', 'invalid_request');
    const badTask = await ws.request({ type: 'reset', data: { task_id: 'nope' } });
    assertErrorFrame(badTask, 'VALIDATION_ERROR', 'invalid_task');
    assert.equal(badTask.data.message, "Unknown task_id 'nope'. Valid: ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard', 'breast-cancer', 'iris', 'wine', 'digits']");
    // null data and null task mean defaults.
    const reset = await ws.request({ type: 'reset', data: null });
    assert.equal(reset.type, 'observation');
    assert.equal(reset.data.task_id, 'easy');
    const reset2 = await ws.request({ type: 'reset', data: { task_id: null, seed: null } });
    assert.deepEqual(reset2.data.observation, reset.data.observation);
    // Reused id → episode_exists, and a failed reset keeps the previous episode.
    const taken = await ws.request({ type: 'reset', data: { episode_id: reset2.data.episode_id } });
    assertErrorFrame(taken, 'VALIDATION_ERROR', 'episode_exists');
    const step = await ws.request({ type: 'step', data: BALANCED });
    assert.equal(step.type, 'observation');
    assert.equal(step.data.episode_id, reset2.data.episode_id);
    assert.equal(step.data.step, 1);
    // The first reset's episode was abandoned by the second (and deleted from the store).
    assert.equal((await get(server.url, `/state?episode_id=${reset.data.episode_id}`)).status, 404);
    ws.close();
  });

  test('after the end: episode_over; an invalid action is still invalid_action', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    await ws.request({ type: 'reset', data: { task_id: 'hard' } });
    const stop = await ws.request({ type: 'step', data: { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } } });
    assert.equal(stop.data.done, true);
    assert.deepEqual(stop.data.info, {});
    assertErrorFrame(await ws.request({ type: 'step', data: BALANCED }), 'EXECUTION_ERROR', 'episode_over');
    assertErrorFrame(await ws.request({ type: 'step', data: { ...BALANCED, batch_size: -1 } }), 'VALIDATION_ERROR', 'invalid_action');
    const state = await ws.request({ type: 'state' });
    assert.equal(state.data.done, true);
    assert.equal(state.data.step_count, 1);
    // Finished WS episode: HTTP step names it → 400 episode_over (§4.7 item 5).
    const http = await post(server.url, '/step', { episode_id: stop.data.episode_id, action: BALANCED });
    assert.equal(http.status, 400);
    assert.equal(http.body.reason, 'episode_over');
    ws.close();
  });

  test('binary frames are decoded as UTF-8; invalid UTF-8 → INVALID_JSON', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    ws.socket.send(Buffer.from(JSON.stringify({ type: 'reset', data: { task_id: 'medium' } })), { binary: true });
    const reset = await ws.next();
    assert.equal(reset.type, 'observation');
    assert.equal(reset.data.task_id, 'medium');
    ws.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: true });
    assertErrorFrame(await ws.next(), 'INVALID_JSON', 'invalid_json');
    assert.equal((await ws.request({ type: 'state' })).data.task_id, 'medium', 'still open and usable');
    ws.close();
  });

  test('a message over MAX_WS_MESSAGE_BYTES closes with 1009', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    ws.send({ type: 'reset', data: { label: 'x'.repeat(5000) } });
    const closed = await ws.closed;
    assert.equal(closed.code, 1009);
    // Capacity is released at once.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await get(server.url, '/health')).body.active_sessions, 0);
  });

  test('pings are answered with pongs', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    const pong = new Promise<Buffer>((resolve) => ws.socket.once('pong', resolve));
    ws.socket.ping('hello');
    assert.equal((await pong).toString(), 'hello');
    ws.close();
  });
});

describe('capacity and idle reaping', () => {
  test('capacity: handshake, one CAPACITY_REACHED frame, close 1013; HTTP resets never refused', async () => {
    // One client fills the whole server here (per-client shares: test/server/security/limits.test.ts).
    await withServer({ MAX_CONCURRENT_ENVS: 2, MAX_SESSIONS_PER_CLIENT: 2, MAX_EPISODES_PER_CLIENT: 2 }, async (small) => {
      const a = await WsClient.connect(`${small.wsUrl}/ws`);
      const b = await WsClient.connect(`${small.wsUrl}/ws`);
      assert.equal((await get(small.url, '/health')).body.active_sessions, 2);
      const c = await WsClient.connect(`${small.wsUrl}/ws`);
      const frame = await c.next();
      assertErrorFrame(frame, 'CAPACITY_REACHED', 'capacity_reached');
      assert.equal(frame.data.active_sessions, 2);
      assert.equal(frame.data.max_sessions, 2);
      assert.equal((await c.closed).code, 1013);
      // HTTP episodes are not sessions: resets always succeed; memory keeps 2 (LRU), the evicted
      // one continues from the store's action log with the numbers of an uninterrupted run.
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await post(small.url, '/reset', { seed: i });
        assert.equal(r.status, 200);
        ids.push(r.body.episode_id);
      }
      assert.equal(small.service.sessions.getLive(ids[0]), undefined, 'evicted from memory');
      const evicted = await post(small.url, '/step', { episode_id: ids[0], action: BALANCED });
      assert.equal(evicted.status, 200);
      const reference = new DataSelectEnv();
      reference.reset({ task: 'easy', seed: 0 });
      const expected = reference.step(BALANCED);
      assert.equal(evicted.body.reward.value, expected.reward);
      assert.deepEqual(evicted.body.observation, expected.observation);
      assert.equal((await post(small.url, '/step', { episode_id: ids[2], action: BALANCED })).status, 200);
      // A closed connection frees its slot at once.
      a.close();
      await a.closed;
      await new Promise((r) => setTimeout(r, 20));
      const d = await WsClient.connect(`${small.wsUrl}/ws`);
      assert.equal((await d.request({ type: 'reset' })).type, 'observation');
      b.close();
      d.close();
    });
  });

  test('idle: a silent /ws gets SESSION_ERROR then 1001; an idle HTTP episode is reaped', async () => {
    await withServer({ SESSION_IDLE_TIMEOUT_S: 0.2 }, async (quick) => {
      const ws = await WsClient.connect(`${quick.wsUrl}/ws`);
      await ws.request({ type: 'reset' });
      // The socket's idle time starts at its last message, before the HTTP reset (which can take
      // a while on a loaded machine).
      const t0 = Date.now();
      const id = (await post(quick.url, '/reset')).body.episode_id;
      const frame = await ws.next(3000);
      assertErrorFrame(frame, 'SESSION_ERROR', 'session_expired');
      assert.equal((await ws.closed).code, 1001);
      const waited = Date.now() - t0;
      assert.ok(waited >= 150 && waited < 2000, `reaped after ${waited} ms`);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal((await get(quick.url, '/health')).body.active_sessions, 0);
      // The HTTP episode was named by nobody: gone; implicitly it is no_episode, by id 404.
      assert.equal((await post(quick.url, '/step', { action: BALANCED })).body.reason, 'no_episode');
      assert.equal((await post(quick.url, '/step', { episode_id: id, action: BALANCED })).status, 404);
    });
  });

  test('activity keeps a session alive', async () => {
    // Messages every 250 ms for 1.5 s against a 1 s idle timeout: alive only if activity resets it
    // (the gaps leave room for a loaded machine).
    await withServer({ SESSION_IDLE_TIMEOUT_S: 1 }, async (quick) => {
      const ws = await WsClient.connect(`${quick.wsUrl}/ws`);
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 250));
        assert.equal((await ws.request({ type: 'state' })).type, 'state');
      }
      ws.close();
    });
  });
});

describe('shutdown', () => {
  test('closing the server closes sockets with 1001', async () => {
    const s = await startServer();
    const ws = await WsClient.connect(`${s.wsUrl}/ws`);
    await ws.request({ type: 'reset' });
    const closing = s.close();
    assert.equal((await ws.closed).code, 1001);
    await closing;
    await assert.rejects(fetch(`${s.url}/health`));
  });

  test('GET /ws without an upgrade is refused (405), not a crash', async () => {
    const r = await get(server.url, '/ws');
    assert.equal(r.status, 405);
    assert.equal(r.body.reason, 'method_not_allowed');
  });

  test('unknown WebSocket paths are refused', async () => {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = new WebSocket(`${server.wsUrl}/nope`);
        s.once('open', resolve);
        s.once('error', reject);
      }),
    );
  });
});
