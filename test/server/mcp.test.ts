/**
 * MCP (docs/protocol.md §8): JSON-RPC envelope rules over HTTP (200 for every response, 202 for
 * notifications), sessions as OpenEnv's MCPToolClient uses them, the five tools and their tool
 * errors, the WebSocket /mcp endpoint and `{"type": "mcp"}` on /ws.
 */
import { PACKAGE_VERSION } from '../../src/version.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, WsClient, get, post, serverForSuite, withServer } from './helpers.ts';

const server = serverForSuite();

let nextId = 1;
async function rpc(method: string, params?: unknown) {
  const r = await post(server.url, '/mcp', { jsonrpc: '2.0', id: nextId++, method, params });
  assert.equal(r.status, 200);
  assert.equal(r.body.jsonrpc, '2.0');
  return r.body;
}
async function call(name: string, args: unknown, extra: Record<string, unknown> = {}) {
  const body = await rpc('tools/call', { name, arguments: args, ...extra });
  assert.ok(body.result, JSON.stringify(body));
  const res = body.result;
  assert.deepEqual(res.structuredContent, res.data);
  assert.deepEqual(JSON.parse(res.content[0].text), res.data);
  return res as { isError: boolean; data: any };
}

describe('JSON-RPC envelope over HTTP', () => {
  test('{} → 200 with -32600 and id null (openenv validate)', async () => {
    const r = await post(server.url, '/mcp', {});
    assert.equal(r.status, 200);
    assert.equal(r.body.jsonrpc, '2.0');
    assert.equal(r.body.id, null);
    assert.equal(r.body.error.code, -32600);
  });

  test('parse error, batches, wrong jsonrpc, bad params, unknown method, notifications', async () => {
    const parse = await post(server.url, '/mcp', '{"jsonrpc": ');
    assert.equal(parse.status, 200);
    assert.equal(parse.body.error.code, -32700);
    assert.equal(parse.body.id, null);
    const nan = await post(server.url, '/mcp', '{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": NaN}}');
    assert.equal(nan.body.error.code, -32700);
    assert.equal((await post(server.url, '/mcp', [{ jsonrpc: '2.0', id: 1, method: 'ping' }])).body.error.code, -32600);
    const wrong = await post(server.url, '/mcp', { jsonrpc: '1.0', id: 9, method: 'ping' });
    assert.equal(wrong.body.error.code, -32600);
    assert.equal(wrong.body.id, 9);
    assert.equal((await post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 5 })).body.error.code, -32600);
    assert.equal((await post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] })).body.error.code, -32602);
    assert.equal((await rpc('nope/nope')).error.code, -32601);
    const note = await post(server.url, '/mcp', { jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(note.status, 202);
    assert.equal(note.body, null, 'empty body');
    assert.equal((await post(server.url, '/mcp', '{}', { 'content-type': 'text/plain' })).status, 415);
    assert.deepEqual((await rpc('ping')).result, {});
  });

  test('initialize and tools/list', async () => {
    const init = await rpc('initialize', { protocolVersion: '2025-03-26', clientInfo: { name: 't' } });
    assert.deepEqual(init.result, {
      protocolVersion: '2025-03-26',
      capabilities: { tools: { listChanged: false } },
      serverInfo: { name: 'DataSelectEnv', version: PACKAGE_VERSION },
    });
    assert.equal((await rpc('initialize', {})).result.protocolVersion, '2025-06-18');
    const tools = (await rpc('tools/list')).result.tools;
    assert.deepEqual(tools.map((t: any) => t.name), ['list_tasks', 'start_episode', 'take_action', 'get_state', 'grade_episode']);
    for (const t of tools) {
      assert.equal(typeof t.description, 'string');
      assert.equal(t.inputSchema.type, 'object');
    }
  });
});

describe('MCPToolClient production mode: session, tools, close', () => {
  test('a whole episode through tools equals the in-process run, then is gradable over HTTP', async () => {
    const env = new DataSelectEnv();
    env.reset({ task: 'medium', seed: 123 });
    const session = (await rpc('openenv/session/create')).result.session_id;
    assert.equal(typeof session, 'string');
    assert.equal((await get(server.url, '/health')).body.active_sessions, 1);
    const listed = await call('list_tasks', {}, { session_id: session });
    assert.equal(listed.data.tasks.length, 10);
    const start = await call('start_episode', { task_id: 'medium', seed: '123', label: 'mcp-run' }, { session_id: session });
    assert.equal(start.isError, false);
    assert.deepEqual(Object.keys(start.data), ['episode_id', 'task_id', 'observation', 'reward', 'done', 'metadata']);
    const id = start.data.episode_id;
    let done = false;
    while (!done) {
      const ref = env.step(BALANCED);
      const r = await call('take_action', { ...BALANCED }, { session_id: session });
      assert.equal(r.isError, false, JSON.stringify(r.data));
      assert.equal(r.data.episode_id, id);
      assert.equal(r.data.reward, ref.reward, 'bare full-precision reward');
      assert.deepEqual(Object.keys(r.data).sort(), ['done', 'episode_id', 'info', 'metadata', 'observation', 'reward', 'step', 'terminated', 'truncated']);
      done = r.data.done;
    }
    const state = await call('get_state', {}, { session_id: session });
    assert.equal(state.data.episode_id, id);
    assert.equal(state.data.done, true);
    const over = await call('take_action', BALANCED, { session_id: session });
    assert.equal(over.isError, true);
    assert.equal(over.data.error.reason, 'episode_over');
    const grade = await call('grade_episode', { episode_id: id }, { session_id: session });
    assert.deepEqual(grade.data, { episode_id: id, ...env.grade() });
    const http = await post(server.url, '/grader', { episode_id: id, task_id: 'medium' });
    assert.deepEqual(http.body, grade.data);
    // The HTTP pointer did not move (§8.3).
    const closed = await rpc('openenv/session/close', { session_id: session });
    assert.deepEqual(closed.result, { session_id: session, closed: true });
    assert.equal((await get(server.url, '/health')).body.active_sessions, 0);
    const after = await rpc('tools/list', { session_id: session });
    assert.equal(after.error.code, -32602);
    assert.match(after.error.message, /Unknown session_id/);
  });

  test('tool errors carry code, reason and arguments.* locations; JSON-RPC errors for bad calls', async () => {
    const bad = await call('take_action', { ...BALANCED, strategy_weights: { greedy: 1 } });
    assert.equal(bad.isError, true);
    assert.equal(bad.data.error.code, 'VALIDATION_ERROR');
    assert.equal(bad.data.error.reason, 'invalid_action');
    assert.deepEqual(bad.data.error.errors[0].loc, ['arguments', 'strategy_weights', 'greedy']);
    const none = await call('take_action', BALANCED);
    assert.equal(none.data.error.reason, 'no_episode');
    assert.equal((await call('get_state', {})).data.error.reason, 'no_episode');
    assert.equal((await call('take_action', { ...BALANCED, episode_id: 'nope' })).data.error.reason, 'episode_not_found');
    assert.equal((await call('start_episode', { task_id: 'nope' })).data.error.reason, 'invalid_task');
    const seed = await call('start_episode', { seed: -1 });
    assert.equal(seed.data.error.reason, 'invalid_request');
    assert.deepEqual(seed.data.error.errors[0].loc, ['arguments', 'seed']);
    assert.equal((await call('start_episode', { task_id: 4 })).data.error.reason, 'invalid_request');
    assert.equal((await call('grade_episode', {})).data.error.reason, 'invalid_request');
    assert.equal((await call('grade_episode', { episode_id: 'nope' })).data.error.reason, 'episode_not_found');
    assert.equal((await rpc('tools/call', { name: 'reset' })).error.code, -32602);
    assert.equal((await rpc('tools/call', {})).error.code, -32602);
    assert.equal((await rpc('tools/call', { name: 'list_tasks', arguments: 3 })).error.code, -32602);
    assert.equal((await rpc('openenv/session/close', {})).error.code, -32602);
    assert.equal((await rpc('openenv/session/close', { session_id: 'nope' })).error.code, -32602);
  });

  test('without a session: start_episode joins the HTTP pool, steppable by id over HTTP', async () => {
    const start = await call('start_episode', { task_id: 'hard' });
    const id = start.data.episode_id;
    const step = await post(server.url, '/step', { episode_id: id, action: BALANCED });
    assert.equal(step.status, 200);
    const r = await call('take_action', { ...BALANCED, episode_id: id });
    assert.equal(r.data.step, 2);
    assert.equal((await call('get_state', { episode_id: id })).data.step_count, 2);
  });

  test('session capacity: -32000 with counts', async () => {
    await withServer({ MAX_CONCURRENT_ENVS: 1 }, async (small) => {
      const first = await post(small.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'openenv/session/create' });
      assert.equal(typeof first.body.result.session_id, 'string');
      const second = await post(small.url, '/mcp', { jsonrpc: '2.0', id: 2, method: 'openenv/session/create' });
      assert.equal(second.status, 200);
      assert.equal(second.body.error.code, -32000);
      assert.deepEqual(second.body.error.data, { active_sessions: 1, max_sessions: 1 });
      // A WebSocket /mcp at capacity gets the error (id null) and 1013.
      const ws = await WsClient.connect(`${small.wsUrl}/mcp`);
      const frame = await ws.next();
      assert.equal(frame.error.code, -32000);
      assert.equal(frame.id, null);
      assert.equal((await ws.closed).code, 1013);
    });
  });
});

describe('MCP over WebSockets', () => {
  test('WebSocket /mcp: one JSON-RPC message per frame, episode owned by the connection', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/mcp`);
    const created = await ws.request({ jsonrpc: '2.0', id: 1, method: 'openenv/session/create' });
    const own = created.result.session_id;
    assert.equal((await ws.request({ jsonrpc: '2.0', id: 2, method: 'openenv/session/close', params: { session_id: own } })).error.code, -32600);
    const start = await ws.request({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'start_episode', arguments: { task_id: 'easy', seed: 7 } } });
    const id = start.result.data.episode_id;
    const step = await ws.request({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'take_action', arguments: BALANCED } });
    assert.equal(step.result.data.step, 1);
    // Not steppable over HTTP (owned by the connection), but readable.
    assert.equal((await post(server.url, '/step', { episode_id: id, action: BALANCED })).status, 404);
    assert.equal((await get(server.url, `/state?episode_id=${id}`)).body.step_count, 1);
    assert.equal((await ws.request('not json')).error.code, -32700);
    ws.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.deepEqual((await ws.request({ jsonrpc: '2.0', id: 5, method: 'ping' })).result, {}, 'notification got no reply');
    ws.close();
    await ws.closed;
  });

  test('{"type": "mcp"} on /ws shares the connection episode with reset/step', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    const reset = await ws.request({ type: 'reset', data: { task_id: 'hard', seed: 42 } });
    const r = await ws.request({ type: 'mcp', data: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'take_action', arguments: BALANCED } } });
    assert.equal(r.type, 'mcp');
    assert.equal(r.data.result.data.episode_id, reset.data.episode_id);
    // docs/behaviour.md D10's example value, under the golden tolerance (not rounded to 6 decimals).
    assert.ok(Math.abs(r.data.result.data.reward - -0.7881472234290589) < 1e-12, String(r.data.result.data.reward));
    const s = await ws.request({ type: 'state' });
    assert.equal(s.data.step_count, 1);
    const bad = await ws.request({ type: 'mcp' });
    assert.equal(bad.data.error.code, -32600);
    ws.close();
  });
});

describe('MCP idle reaping (§3.4)', () => {
  test('an MCP session not named for T is reaped (then Unknown session_id); a silent WebSocket /mcp is closed with 1001', async () => {
    // T = 1 s: the three requests up to the count of 2 must come back within T, which a loaded
    // machine can take longer than 0.2 s for (the HTTP session was then gone before the count).
    const T = 1000;
    await withServer({ SESSION_IDLE_TIMEOUT_S: T / 1000 }, async (quick) => {
      const created = await post(quick.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'openenv/session/create' });
      const sid = created.body.result.session_id;
      // The socket's idle clock starts when the server takes it, after this instant.
      const connecting = Date.now();
      const ws = await WsClient.connect(`${quick.wsUrl}/mcp`);
      assert.equal((await get(quick.url, '/health')).body.active_sessions, 2);
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([ws.closed, new Promise<null>((r) => (timer = setTimeout(() => r(null), 5 * T)))]);
      clearTimeout(timer);
      const idle = Date.now() - connecting;
      assert.equal(closed?.code, 1001, `the silent socket: ${closed ? `closed with ${closed.code}` : 'still open'} after ${idle} ms`);
      // Not before T; within T + a reaper tick (T/4), with 2 s to spare for a loaded machine.
      assert.ok(idle >= T && idle < T + T / 4 + 2000, `closed after ${idle} ms idle`);
      // The HTTP session, named last before the socket opened, was reaped no later than the socket.
      const later = await post(quick.url, '/mcp', { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { session_id: sid } });
      assert.equal(later.body.error.code, -32602);
      assert.match(later.body.error.message, /Unknown session_id/);
      assert.equal((await get(quick.url, '/health')).body.active_sessions, 0);
    });
  });
});
