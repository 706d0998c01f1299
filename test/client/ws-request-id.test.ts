/**
 * request_id on /ws (OpenEnv issue #1143): the server echoes it in replies and error frames; the
 * TypeScript WsEnvironment uses it so that a reply arriving after a timeout is dropped and the
 * next request gets its own reply, instead of every later reply being shifted by one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsEnvironment } from '../../src/client/ws.ts';
import { BALANCED, WsClient, serverForSuite } from '../server/helpers.ts';

const OBS = { remaining_budget: 300, diversity_score: 1, noise_estimate: 0, current_performance: 0.5, samples_available: 1100 };

describe('server echoes request_id', () => {
  const server = serverForSuite();

  test('in replies of every type and in error frames; absent when not sent; bad ids refused', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    try {
      assert.equal((await ws.request({ type: 'reset', data: { task_id: 'hard' }, request_id: 'r-1' })).request_id, 'r-1');
      assert.equal((await ws.request({ type: 'step', data: BALANCED, request_id: 7 })).request_id, 7);
      assert.equal((await ws.request({ type: 'state', request_id: 'r-3' })).request_id, 'r-3');
      const err = await ws.request({ type: 'step', data: { action_type: 'jump' }, request_id: 'r-4' });
      assert.deepEqual([err.type, err.request_id], ['error', 'r-4']);
      const unknown = await ws.request({ type: 'dance', request_id: 'r-5' });
      assert.deepEqual([unknown.type, unknown.data.reason, unknown.request_id], ['error', 'unknown_type', 'r-5']);
      const mcp = await ws.request({ type: 'mcp', data: { jsonrpc: '2.0', id: 1, method: 'ping' }, request_id: 'r-6' });
      assert.deepEqual([mcp.type, mcp.request_id], ['mcp', 'r-6']);
      const tools = await ws.request({ type: 'step', data: { type: 'list_tools' }, request_id: 'r-7' });
      assert.deepEqual([tools.type, tools.request_id], ['observation', 'r-7']);
      const plain = await ws.request({ type: 'state' });
      assert.equal('request_id' in plain, false);
      const bad = await ws.request({ type: 'state', request_id: { x: 1 } });
      assert.equal(bad.type, 'error');
      assert.deepEqual(bad.data.errors[0].loc, ['request_id']);
      assert.equal('request_id' in bad, false);
      const closed = await ws.request({ type: 'close', request_id: 'bye' });
      assert.deepEqual(closed, { type: 'close', data: {}, request_id: 'bye' });
    } finally {
      ws.close();
    }
  });

  test('WsEnvironment plays a whole episode against the real server with ids', async () => {
    const env = new WsEnvironment(server.url);
    try {
      await env.reset({ task: 'easy', seed: 1 });
      for (let done = false; !done; ) done = (await env.step(BALANCED as any)).done;
      assert.equal((await env.state()).done, true);
      assert.equal(env.staleRepliesDropped, 0);
    } finally {
      await env.close();
    }
  });
});

/**
 * A scripted /ws server that answers in order, as the real one does, and echoes request ids
 * (or not); its first step reply comes after `stepDelayMs`.
 */
async function fakeServer(opts: { echo: boolean; stepDelayMs: number }) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const received: any[] = [];
  wss.on('connection', (socket: WebSocket) => {
    let steps = 0;
    let tail = Promise.resolve();
    socket.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      received.push(m);
      tail = tail.then(async () => {
        const id = opts.echo && m.request_id !== undefined ? { request_id: m.request_id } : {};
        const obs = (step: number) => ({ episode_id: 'e1', task_id: 'easy', observation: { ...OBS, remaining_budget: 300 - 10 * step }, reward: step, done: false, step, info: {}, terminated: false, truncated: false });
        if (m.type === 'reset') socket.send(JSON.stringify({ type: 'observation', data: obs(0), ...id }));
        else if (m.type === 'step') {
          steps++;
          if (steps === 1) await new Promise((r) => setTimeout(r, opts.stepDelayMs));
          socket.send(JSON.stringify({ type: 'observation', data: obs(steps), ...id }));
        } else if (m.type === 'state') {
          socket.send(JSON.stringify({ type: 'state', data: { episode_id: 'e1', task_id: 'easy', step_count: steps, done: false, remaining_budget: 300 - 10 * steps, current_performance: 0.5, pool_size: 1100 - 10 * steps }, ...id }));
        } else if (m.type === 'close') socket.close(1000);
      });
    });
  });
  const port = (wss.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => wss.close(() => r())) };
}

describe('WsEnvironment after a timeout', () => {
  test('the late reply is dropped and the next request gets its own reply (server echoes ids)', async () => {
    // Timed out at 300 ms, the step reply comes at 400 ms, just before the state's (in order).
    const fake = await fakeServer({ echo: true, stepDelayMs: 400 });
    const env = new WsEnvironment(fake.url, { timeoutMs: 300 });
    try {
      await env.reset({ task: 'easy', seed: 1 });
      await assert.rejects(env.step(BALANCED as any), (e: any) => e.code === 'TIMEOUT' && /may still apply/.test(e.message));
      // The step's reply arrives (late) before the state's: it must not be taken for it.
      const state = await env.state();
      assert.equal(state.step_count, 1, 'the state reply, not the late step observation');
      assert.equal(env.staleRepliesDropped, 1);
      assert.equal(env.connected, true, 'the connection stays usable');
      const next = await env.step(BALANCED as any);
      assert.equal(next.step, 2, 'the next step gets its own reply');
      // Every request carried a distinct id.
      const ids = fake.received.filter((m) => m.type !== 'close').map((m) => m.request_id);
      assert.equal(new Set(ids).size, ids.length);
    } finally {
      await env.close();
      await fake.close();
    }
  });

  test('without echoed ids the client cannot tell replies apart: a timeout ends the connection', async () => {
    const fake = await fakeServer({ echo: false, stepDelayMs: 400 });
    const env = new WsEnvironment(fake.url, { timeoutMs: 150 });
    try {
      await env.reset({ task: 'easy', seed: 1 });
      await assert.rejects(env.step(BALANCED as any), (e: any) => e.code === 'TIMEOUT');
      await assert.rejects(env.state(), (e: any) => e.code === 'CONNECTION_LOST');
    } finally {
      await env.close();
      await fake.close();
    }
  });
});
