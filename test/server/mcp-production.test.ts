/**
 * OpenEnv's MCPToolClient in its default (production) mode, as huggingface/OpenEnv's
 * src/openenv/core/mcp_client.py at 00173d4 does it: `_connect_async` creates an MCP session over
 * HTTP (`openenv/session/create` on POST /mcp) and opens the WebSocket as `/ws?session_id=<id>`;
 * `list_tools` and `call_tool` are JSON-RPC `tools/list` / `tools/call` on POST /mcp naming that
 * session; `reset` / `step` / `state` go over the attached WebSocket (EnvClient); `close` detaches
 * the WebSocket first (`{"type": "close"}`, then the close handshake) and then sends
 * `openenv/session/close`, since the server refuses to close a session with a socket attached.
 * The class below ports that request/response logic line by line (URL building, the JSON-RPC
 * envelope, raise_for_status, `result["data"]` unwrapping, the error checks), so a reply it cannot
 * read is one the Python client cannot read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, WsClient, post, serverForSuite, withServer } from './helpers.ts';

interface Tool {
  name: string;
  description: string;
  input_schema: unknown;
}

/** Port of MCPClientBase / MCPToolClient (production mode) over EnvClient's WebSocket calls. */
class ProductionMcpToolClient {
  private readonly baseUrl: string;
  private readonly wsUrl: string;
  private ws: WsClient | null = null;
  private sessionId: string | null = null;
  private rpcId = 0;
  private toolsCache: Tool[] | null = null;
  /** Every JSON-RPC exchange and WebSocket frame, for assertions. */
  readonly rpc: { method: string; params: any; response: any }[] = [];
  readonly frames: any[] = [];

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    // convert_to_ws_url(base_url) + "/ws"
    this.wsUrl = `${this.baseUrl.replace(/^http:\/\//, 'ws://').replace(/^https:\/\//, 'wss://')}/ws`;
  }

  get session(): string | null {
    return this.sessionId;
  }

  /** _production_mcp_url: the base URL's scheme ws→http, path + "/mcp", no query or fragment. */
  private mcpUrl(): string {
    const u = new URL(this.baseUrl);
    if (u.protocol === 'ws:') u.protocol = 'http:';
    if (u.protocol === 'wss:') u.protocol = 'https:';
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/mcp`;
    u.search = '';
    u.hash = '';
    return u.toString();
  }

  /** _production_mcp_request: POST the envelope, raise_for_status, return the parsed JSON. */
  private async mcpRequest(method: string, params?: Record<string, unknown>): Promise<any> {
    const body = { jsonrpc: '2.0', method, params: params ?? {}, id: ++this.rpcId };
    const res = await fetch(this.mcpUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 400) throw new Error(`HTTPStatusError: ${res.status}`);
    const data = await res.json();
    this.rpc.push({ method, params: body.params, response: data });
    return data;
  }

  /** _ensure_production_session */
  private async ensureSession(): Promise<string> {
    if (this.sessionId !== null) return this.sessionId;
    const data = await this.mcpRequest('openenv/session/create');
    if ('error' in data) throw new Error(`Failed to create MCP session: ${data.error?.message ?? 'unknown error'}`);
    const sid = data.result?.session_id;
    if (!sid) throw new Error('Failed to create MCP session: missing session_id');
    this.sessionId = sid;
    return sid;
  }

  /** _connect_async (production): session first, then the WebSocket with ?session_id=…; cleanup on failure. */
  async connect(): Promise<this> {
    if (this.ws) return this;
    try {
      const sid = await this.ensureSession();
      const u = new URL(this.wsUrl);
      u.searchParams.set('session_id', sid);
      this.ws = await WsClient.connect(u.toString());
    } catch (e) {
      await this.close();
      throw e;
    }
    return this;
  }

  /** EnvClient._send_and_receive (connecting first when needed): an error frame raises. */
  private async sendAndReceive(message: Record<string, unknown>): Promise<any> {
    await this.connect();
    const response = await this.ws!.request(message);
    this.frames.push(response);
    if (response.type === 'error') {
      throw new Error(`Server error: ${response.data?.message ?? 'Unknown error'} (code: ${response.data?.code ?? 'UNKNOWN'})`);
    }
    return response;
  }

  /** _parse_result (generic observation branch: reset and plain steps). */
  private parseResult(payload: any) {
    const obs = payload.observation ?? {};
    return {
      observation: obs,
      reward: payload.reward ?? null,
      done: payload.done ?? false,
      metadata: payload.metadata ?? obs.metadata ?? {},
    };
  }

  async reset(kwargs: Record<string, unknown> = {}) {
    return this.parseResult((await this.sendAndReceive({ type: 'reset', data: kwargs })).data ?? {});
  }

  /** step(action): an action that is not a ListTools/CallTool action is sent as its model_dump(). */
  async step(action: Record<string, unknown>) {
    return this.parseResult((await this.sendAndReceive({ type: 'step', data: action })).data ?? {});
  }

  /** _parse_state */
  async state() {
    const payload = (await this.sendAndReceive({ type: 'state' })).data ?? {};
    return { episode_id: payload.episode_id ?? null, step_count: payload.step_count ?? 0 };
  }

  /** list_tools (production): tools/list naming the session; any failure is an empty list. */
  async listTools(useCache = true): Promise<Tool[]> {
    if (useCache && this.toolsCache !== null) return this.toolsCache;
    try {
      const sid = await this.ensureSession();
      const data = await this.mcpRequest('tools/list', { session_id: sid });
      if ('error' in data) throw new Error(`list_tools failed: ${data.error?.message ?? 'unknown error'}`);
      if (data.result && 'tools' in data.result) {
        const tools = data.result.tools.map((t: any) => ({
          name: t.name ?? '',
          description: t.description ?? '',
          input_schema: t.input_schema ?? t.inputSchema ?? {},
        }));
        this.toolsCache = tools;
        return tools;
      }
    } catch {
      // the Python client swallows the failure
    }
    return [];
  }

  /** call_tool (production): tools/call naming the session; a JSON-RPC error raises; result["data"] when present. */
  async callTool(name: string, kwargs: Record<string, unknown> = {}): Promise<any> {
    const sid = await this.ensureSession();
    const data = await this.mcpRequest('tools/call', { name, arguments: kwargs, session_id: sid });
    if ('error' in data) throw new Error(`Tool '${name}' failed: ${data.error?.message ?? 'unknown error'}`);
    const result = data.result;
    if (result && typeof result === 'object' && 'data' in result) return result.data;
    return result;
  }

  /**
   * _close_async: detach the WebSocket (EnvClient._disconnect_async sends {"type": "close"} best
   * effort, then closes the socket), then openenv/session/close best effort, then forget the id.
   */
  async close(): Promise<void> {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try {
        ws.send({ type: 'close' });
      } catch {
        // best effort
      }
      ws.close();
      await ws.closed;
    }
    if (this.sessionId !== null) {
      try {
        await this.mcpRequest('openenv/session/close', { session_id: this.sessionId });
      } catch {
        // best effort
      } finally {
        this.sessionId = null;
      }
    }
  }
}

const STOP = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };

const server = serverForSuite({ MAX_CONCURRENT_ENVS: 4 });

describe('MCPToolClient production mode: HTTP MCP session + /ws?session_id=', () => {
  test('lists the tools, plays an episode to a grade over both transports in one session, equal to the in-process run', async () => {
    const before = server.service.sessions.activeSessions;
    const client = new ProductionMcpToolClient(server.url);
    await client.connect();
    const sid = client.session!;
    assert.equal(client.rpc[0]!.method, 'openenv/session/create');
    // The attached socket is the session's, not a second one.
    assert.equal(server.service.sessions.activeSessions, before + 1);

    const tools = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['list_tasks', 'start_episode', 'take_action', 'get_state', 'grade_episode']);
    for (const t of tools) assert.equal((t.input_schema as any).type, 'object');
    assert.deepEqual(client.rpc.at(-1)!.params, { session_id: sid });

    const reset = await client.reset({ task_id: 'medium', seed: 7 });
    assert.equal(reset.done, false);
    assert.equal(reset.metadata.task_id, 'medium');
    const episodeId = reset.metadata.episode_id;
    const ref = new DataSelectEnv();
    assert.deepEqual(reset.observation, ref.reset({ task: 'medium', seed: 7 }).observation);

    // Alternate: a WebSocket step, then a tools/call take_action without episode_id — one episode.
    let viaWs = true;
    let steps = 0;
    for (let done = false; !done; viaWs = !viaWs) {
      const expected = ref.step(BALANCED as any);
      steps++;
      if (viaWs) {
        const r = await client.step(BALANCED);
        assert.equal(r.reward, expected.reward);
        assert.equal(r.done, expected.done);
        assert.deepEqual(r.observation, expected.observation);
        assert.equal(r.metadata.episode_id, episodeId);
        assert.equal(r.metadata.step, steps);
        done = r.done;
      } else {
        const payload = await client.callTool('take_action', BALANCED);
        assert.equal(payload.episode_id, episodeId, 'the tool acted on the episode the socket started');
        assert.equal(payload.reward, expected.reward);
        assert.equal(payload.done, expected.done);
        assert.deepEqual(payload.observation, expected.observation);
        done = payload.done;
      }
    }
    const state = await client.state();
    assert.deepEqual(state, { episode_id: episodeId, step_count: steps });

    const grade = await client.callTool('grade_episode', { episode_id: episodeId });
    const g = ref.grade();
    assert.deepEqual([grade.score, grade.passed], [g.score, g.passed]);
    assert.equal((await post(server.url, '/grader', { episode_id: episodeId })).body.score, g.score);

    // A step after the end is the environment's refusal on either transport.
    await assert.rejects(client.step(BALANCED), /code: EXECUTION_ERROR/);
    const over = await client.callTool('take_action', BALANCED);
    assert.equal(over.error.reason, 'episode_over');

    await client.close();
    const closing = client.rpc.at(-1)!;
    assert.equal(closing.method, 'openenv/session/close');
    assert.deepEqual(closing.response.result, { session_id: sid, closed: true });
    assert.equal(server.service.sessions.activeSessions, before);
  });

  test('an episode started with the start_episode tool is the one the attached socket steps and reads', async () => {
    const client = new ProductionMcpToolClient(server.url);
    try {
      await client.connect();
      const started = await client.callTool('start_episode', { task_id: 'easy', seed: 11, label: 'prod' });
      const r = await client.step(BALANCED);
      assert.equal(r.metadata.episode_id, started.episode_id);
      assert.equal(r.metadata.step, 1);
      assert.deepEqual(await client.state(), { episode_id: started.episode_id, step_count: 1 });
      const viaTool = await client.callTool('get_state');
      assert.equal(viaTool.step_count, 1);
      // MCP messages on the attached socket (simulation-mode shapes) act in the same session.
      const ws = (client as any).ws as WsClient;
      const listed = await ws.request({ type: 'step', data: { type: 'list_tools' } });
      assert.equal(listed.data.observation.tools.length, 5);
      const called = await ws.request({ type: 'step', data: { type: 'call_tool', tool_name: 'take_action', arguments: STOP } });
      assert.equal(called.data.observation.error, null);
      assert.equal(called.data.observation.result.data.episode_id, started.episode_id);
      assert.equal(called.data.done, true);
      const rpc = await ws.request({ type: 'mcp', data: { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'get_state', arguments: {} } } });
      assert.equal(rpc.data.result.data.done, true);
      assert.equal(rpc.data.result.data.episode_id, started.episode_id);
    } finally {
      await client.close();
    }
  });

  test('no extra capacity: a server with room for one session still takes the session and its socket', async () => {
    await withServer({ MAX_CONCURRENT_ENVS: 1 }, async (small) => {
      const client = new ProductionMcpToolClient(small.url);
      await client.connect();
      const r = await client.reset({ task_id: 'easy', seed: 1 });
      assert.equal(r.done, false);
      assert.equal(small.service.sessions.activeSessions, 1);
      // A plain /ws of its own finds the server full meanwhile.
      const other = await WsClient.connect(`${small.wsUrl}/ws`);
      assert.equal((await other.next()).data.reason, 'capacity_reached');
      await other.closed;
      await client.close();
      assert.equal(small.service.sessions.activeSessions, 0);
    });
  });

  test('refusals: unknown or malformed session_id, a second socket, closing a session with a socket attached', async () => {
    for (const query of ['session_id=no-such-session', 'session_id=', 'session_id=a&session_id=b']) {
      const ws = await WsClient.connect(`${server.wsUrl}/ws?${query}`);
      const frame = await ws.next();
      assert.equal(frame.type, 'error');
      assert.equal(frame.data.reason, query === 'session_id=no-such-session' ? 'session_not_found' : 'invalid_request', query);
      assert.equal((await ws.closed).code, 1008);
    }

    const client = new ProductionMcpToolClient(server.url);
    await client.connect();
    const sid = client.session!;
    const second = await WsClient.connect(`${server.wsUrl}/ws?session_id=${sid}`);
    const refused = await second.next();
    assert.deepEqual([refused.type, refused.data.code, refused.data.reason], ['error', 'CONFLICT', 'session_in_use']);
    assert.equal((await second.closed).code, 1008);

    // Closing while the socket is attached is refused (OpenEnv's ownership rule); the session lives on.
    const early = await post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'openenv/session/close', params: { session_id: sid } });
    assert.equal(early.status, 200);
    assert.equal(early.body.error.code, -32600);
    assert.match(early.body.error.message, /active WebSocket/);
    // Nor may the attached socket close it through a {"type": "mcp"} message.
    const ws = (client as any).ws as WsClient;
    const own = await ws.request({ type: 'mcp', data: { jsonrpc: '2.0', id: 2, method: 'openenv/session/close', params: { session_id: sid } } });
    assert.equal(own.data.error.code, -32600);
    assert.equal((await client.reset({ task_id: 'easy', seed: 2 })).done, false);
    // resume belongs to sockets with a session of their own.
    const resume = await ws.request({ type: 'resume', data: { episode_id: 'x' } });
    assert.equal(resume.data.reason, 'invalid_request');

    await client.close();
    assert.deepEqual(client.rpc.at(-1)!.response.result, { session_id: sid, closed: true });
    // The closed session takes no socket any more.
    const late = await WsClient.connect(`${server.wsUrl}/ws?session_id=${sid}`);
    assert.equal((await late.next()).data.reason, 'session_not_found');
    await late.closed;
  });

  test('detach and re-attach: the episode belongs to the session, not to the socket', async () => {
    const client = new ProductionMcpToolClient(server.url);
    await client.connect();
    const sid = client.session!;
    const reset = await client.reset({ task_id: 'hard', seed: 5 });
    await client.step(BALANCED);
    const ws = (client as any).ws as WsClient;
    ws.send({ type: 'close' });
    assert.equal((await ws.next()).type, 'close');
    await ws.closed;
    const again = await WsClient.connect(`${server.wsUrl}/ws?session_id=${sid}`);
    try {
      const state = await again.request({ type: 'state' });
      assert.equal(state.data.episode_id, reset.metadata.episode_id);
      assert.equal(state.data.step_count, 1);
      const step = await again.request({ type: 'step', data: BALANCED });
      assert.equal(step.data.step, 2);
    } finally {
      again.close();
      await again.closed;
    }
    const closed = await post(server.url, '/mcp', { jsonrpc: '2.0', id: 3, method: 'openenv/session/close', params: { session_id: sid } });
    assert.deepEqual(closed.body.result, { session_id: sid, closed: true });
  });

  test('an idle session expires with its attached socket (session_expired frame, 1001)', async () => {
    await withServer({ SESSION_IDLE_TIMEOUT_S: 0.3 }, async (quick) => {
      const client = new ProductionMcpToolClient(quick.url);
      await client.connect();
      const ws = (client as any).ws as WsClient;
      const frame = await ws.next(5000);
      assert.deepEqual([frame.type, frame.data.reason], ['error', 'session_expired']);
      assert.equal((await ws.closed).code, 1001);
      assert.equal(quick.service.sessions.activeSessions, 0);
    });
  });

  test('under EPISODE_ISOLATION another key cannot attach to a session', async () => {
    const ALICE = 'alice-key-0123456789abcdef';
    const BOB = 'bob-key-0123456789abcdef01';
    await withServer({ API_KEYS: `${ALICE},${BOB}` }, async (keyed) => {
      const created = await post(keyed.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'openenv/session/create' }, { authorization: `Bearer ${ALICE}` });
      const sid = created.body.result.session_id;
      const bob = await WsClient.connect(`${keyed.wsUrl}/ws?session_id=${sid}&token=${BOB}`);
      assert.equal((await bob.next()).data.reason, 'session_not_found');
      await bob.closed;
      const alice = await WsClient.connect(`${keyed.wsUrl}/ws?session_id=${sid}&token=${ALICE}`);
      const r = await alice.request({ type: 'reset', data: { task_id: 'easy', seed: 3 } });
      assert.equal(r.type, 'observation');
      alice.close();
      await alice.closed;
    });
  });
});
