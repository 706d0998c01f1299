/**
 * The texts of the "no episode" and "episode over" refusals, per transport. The environment core
 * speaks of `reset()` (it knows no transport); each transport tells its own user what to send, and
 * these texts are part of the wire protocol: they must not change when the core's wording does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CurationEnv } from '../../src/env/curation/env.ts';
import { DataSelectEnv } from '../../src/env/env.ts';
import { EnvError } from '../../src/env/errors.ts';
import { InProcessEnvironment } from '../../src/client/inprocess.ts';
import { ClientError } from '../../src/api/errors.ts';
import { BALANCED, WsClient, post, serverForSuite } from './helpers.ts';

const STOP = { ...BALANCED, action_type: 'stop' };
const HTTP_NO_EPISODE = 'No active episode. Call POST /reset first.';
const OVER = 'Episode is over. Call POST /reset to start a new episode.';
const MCP_NO_EPISODE = 'No active episode. Call the start_episode tool first (or pass episode_id).';
const WS_NO_EPISODE = 'No active episode. Send a reset message first.';

const server = serverForSuite();

describe('refusal texts on the wire', () => {
  test('HTTP: no episode, then episode over', async () => {
    const none = await post(server.url, '/step', { action: BALANCED });
    assert.deepEqual(none.body, { detail: HTTP_NO_EPISODE, code: 'EXECUTION_ERROR', reason: 'no_episode' });
    const reset = await post(server.url, '/reset', { task_id: 'easy', seed: 3 });
    const id = reset.body.episode_id;
    await post(server.url, '/step', { episode_id: id, action: STOP });
    const over = await post(server.url, '/step', { episode_id: id, action: BALANCED });
    assert.equal(over.status, 400);
    assert.deepEqual(over.body, { detail: OVER, code: 'EXECUTION_ERROR', reason: 'episode_over' });
  });

  test('WebSocket: no episode, then episode over', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    try {
      assert.deepEqual(await ws.request({ type: 'step', data: BALANCED }), {
        type: 'error',
        data: { message: WS_NO_EPISODE, code: 'EXECUTION_ERROR', reason: 'no_episode' },
      });
      await ws.request({ type: 'reset', data: { task_id: 'easy', seed: 3 } });
      await ws.request({ type: 'step', data: STOP });
      assert.deepEqual(await ws.request({ type: 'step', data: BALANCED }), {
        type: 'error',
        data: { message: OVER, code: 'EXECUTION_ERROR', reason: 'episode_over' },
      });
    } finally {
      ws.close();
    }
  });

  test('MCP tools: no episode, then episode over (the tool result carries the refusal)', async () => {
    const call = async (name: string, args: unknown, extra: Record<string, unknown> = {}) =>
      (await post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args, ...extra } })).body.result;
    const none = await call('take_action', BALANCED);
    assert.equal(none.isError, true);
    assert.deepEqual(none.data, { error: { code: 'EXECUTION_ERROR', reason: 'no_episode', message: MCP_NO_EPISODE } });
    const session = (await post(server.url, '/mcp', { jsonrpc: '2.0', id: 2, method: 'openenv/session/create' })).body.result.session_id;
    await call('start_episode', { task_id: 'easy', seed: 3 }, { session_id: session });
    await call('take_action', STOP, { session_id: session });
    const over = await call('take_action', BALANCED, { session_id: session });
    assert.deepEqual(over.data, { error: { code: 'EXECUTION_ERROR', reason: 'episode_over', message: OVER } });
  });
});

describe('in process: the environment speaks of reset(), not of a transport', () => {
  for (const [name, make, task] of [
    ['DataSelectEnv', () => new DataSelectEnv(), 'easy'],
    ['CurationEnv', () => new CurationEnv(), 'curation-easy'],
  ] as const) {
    test(name, () => {
      const env = make();
      const refusal = (fn: () => unknown): EnvError => {
        try {
          fn();
        } catch (e) {
          assert.ok(e instanceof EnvError, String(e));
          return e;
        }
        assert.fail('expected a refusal');
      };
      const none = refusal(() => env.step(BALANCED as never));
      assert.equal(none.reason, 'no_episode');
      assert.match(none.message, /reset\(\)/);
      env.reset({ task: task, seed: 3 });
      env.step(STOP as never);
      const over = refusal(() => env.step(BALANCED as never));
      assert.equal(over.reason, 'episode_over');
      assert.match(over.message, /reset\(\)/);
      for (const e of [none, over]) assert.doesNotMatch(e.message, /POST|\/reset|HTTP|WebSocket|tool/);
    });
  }

  test('InProcessEnvironment: the same codes as the server, the core\'s words', async () => {
    const env = new InProcessEnvironment();
    await env.reset({ task: 'easy', seed: 3 });
    await env.step(STOP as never);
    await assert.rejects(env.step(BALANCED as never), (e: unknown) => {
      assert.ok(e instanceof ClientError);
      assert.equal(e.code, 'EXECUTION_ERROR');
      assert.equal(e.reason, 'episode_over');
      assert.match(e.message, /reset\(\)/);
      return true;
    });
    await env.close();
  });
});
