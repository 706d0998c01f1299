/**
 * OpenEnv's MCPToolClient on the /ws step path: it sends `{"type": "step", "data": {"type":
 * "list_tools"}}` and `{"type": "call_tool", "tool_name", "arguments"}` (mcp_client.py,
 * `_step_payload`) and reads the reply as `_parse_result` does. The client below is a line-by-line
 * port of those two methods, of `call_tool` and of EnvClient's send/receive, so a reply this
 * client cannot read is a reply the Python client cannot read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { WsCallToolObservationSchema, WsListToolsObservationSchema } from '../../src/protocol/wire.ts';
import { BALANCED, WsClient, conforms, post, serverForSuite } from './helpers.ts';

const TOOL_ERROR_TYPES = ['execution_error', 'invalid_args', 'transport_error', 'tool_not_found', 'timeout'];

interface Tool {
  name: string;
  description: string;
  input_schema: unknown;
}

/** Port of MCPToolClient (simulation path): _step_payload, _parse_result, call_tool. */
class McpToolClientPort {
  readonly ws: WsClient;
  readonly frames: any[] = [];
  constructor(ws: WsClient) {
    this.ws = ws;
  }

  /** EnvClient._send_and_receive: an error frame raises RuntimeError. */
  private async sendAndReceive(message: unknown): Promise<any> {
    const response = await this.ws.request(message);
    this.frames.push(response);
    if (response.type === 'error') throw new Error(`Server error: ${response.data?.message} (code: ${response.data?.code})`);
    return response;
  }

  async reset(kwargs: Record<string, unknown> = {}) {
    return this.parseResult((await this.sendAndReceive({ type: 'reset', data: kwargs })).data ?? {});
  }

  async step(action: { kind: 'list' } | { kind: 'call'; tool_name: string; arguments: Record<string, unknown> }) {
    const data = action.kind === 'list' ? { type: 'list_tools' } : { type: 'call_tool', tool_name: action.tool_name, arguments: action.arguments };
    return this.parseResult((await this.sendAndReceive({ type: 'step', data })).data ?? {});
  }

  /** _parse_result: tools → ListToolsObservation, tool_name → CallToolObservation (ToolError(**error)). */
  parseResult(payload: any) {
    const obs = payload.observation ?? {};
    const metadata = payload.metadata ?? obs.metadata ?? {};
    assert.equal(typeof metadata, 'object', 'Observation.metadata is a dict');
    if ('tools' in obs) {
      const tools: Tool[] = (obs.tools ?? []).map((t: any) => ({
        name: t.name ?? '',
        description: t.description ?? '',
        input_schema: t.input_schema ?? t.inputSchema ?? {},
      }));
      return { observation: { kind: 'tools' as const, tools, metadata }, reward: payload.reward ?? null, done: payload.done ?? false };
    }
    if ('tool_name' in obs) {
      let error: { error_type: string; message: string } | null = null;
      if (obs.error) {
        // pydantic ToolError(extra="forbid"): exactly these two keys, error_type from the enum.
        assert.deepEqual(Object.keys(obs.error).sort(), ['error_type', 'message']);
        assert.ok(TOOL_ERROR_TYPES.includes(obs.error.error_type), obs.error.error_type);
        assert.equal(typeof obs.error.message, 'string');
        error = obs.error;
      }
      return {
        observation: { kind: 'call' as const, tool_name: obs.tool_name ?? '', result: obs.result ?? null, error, metadata },
        reward: payload.reward ?? null,
        done: payload.done ?? false,
      };
    }
    return { observation: { kind: 'generic' as const, metadata }, reward: payload.reward ?? null, done: payload.done ?? false };
  }

  async listTools(): Promise<Tool[]> {
    const r = await this.step({ kind: 'list' });
    assert.equal(r.observation.kind, 'tools');
    return (r.observation as any).tools;
  }

  /** call_tool: a ToolError raises; else result["data"] when the result is a dict with data. */
  async callTool(name: string, kwargs: Record<string, unknown> = {}) {
    const r = await this.step({ kind: 'call', tool_name: name, arguments: kwargs });
    const obs = r.observation as any;
    if (obs.kind === 'call' && obs.error !== null) throw new Error(`Tool '${name}' failed: ${obs.error.message} (type: ${obs.error.error_type})`);
    if (obs.kind === 'call') {
      const result = obs.result;
      if (result && typeof result === 'object' && 'data' in result) return { value: result.data, step: r };
      return { value: result, step: r };
    }
    return { value: obs, step: r };
  }
}

const server = serverForSuite();

describe('MCPToolClient over /ws step (list_tools / call_tool)', () => {
  test('lists the tools, plays an episode to a grade, equal to the in-process run', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    const client = new McpToolClientPort(ws);
    try {
      const tools = await client.listTools();
      assert.deepEqual(tools.map((t) => t.name), ['list_tasks', 'start_episode', 'take_action', 'get_state', 'grade_episode']);
      for (const t of tools) assert.equal((t.input_schema as any).type, 'object');
      const listFrame = client.frames.at(-1);
      assert.equal(listFrame.type, 'observation');
      assert.equal(listFrame.data.reward, null);
      assert.equal(listFrame.data.done, false);
      conforms(WsListToolsObservationSchema, listFrame.data, 'list_tools reply');

      // env.reset() over the same socket, then tools act on that episode.
      const reset = await client.reset({ task_id: 'hard', seed: 42 });
      assert.equal(reset.done, false);
      const env = new DataSelectEnv();
      env.reset({ task: 'hard', seed: 42 });
      let last: any;
      for (let done = false; !done; ) {
        const { value, step } = await client.callTool('take_action', BALANCED);
        conforms(WsCallToolObservationSchema, client.frames.at(-1).data, 'call_tool reply');
        const ref = env.step(BALANCED as any);
        assert.equal(step.reward, ref.reward, 'the episode reward rides on the observation');
        assert.equal(step.done, ref.done);
        assert.deepEqual(value.observation, ref.observation);
        assert.deepEqual((step.observation as any).metadata.reward_terms, ref.terms);
        done = step.done;
        last = value;
      }
      const grade = (await client.callTool('grade_episode', { episode_id: last.episode_id })).value;
      const g = env.grade();
      assert.deepEqual([grade.score, grade.passed], [g.score, g.passed]);
      // The same grade over HTTP (the episode is stored).
      assert.equal((await post(server.url, '/grader', { episode_id: last.episode_id, task_id: 'hard' })).body.score, g.score);
    } finally {
      ws.close();
    }
  });

  test('start_episode through call_tool; framework errors in `error`, the tool\'s own failures in `result`; never an error frame', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    const client = new McpToolClientPort(ws);
    try {
      // No episode yet: the tool's own failure (no_episode) is its result, not an error.
      const none = await client.callTool('take_action', BALANCED);
      assert.equal(none.value.error.reason, 'no_episode');
      assert.equal((none.step.observation as any).result.isError, true);

      const started = await client.callTool('start_episode', { task_id: 'easy', seed: 3, label: 'mcp-step' });
      assert.equal(started.value.task_id, 'easy');
      assert.equal(started.step.reward, null);
      assert.equal(started.step.done, false);
      assert.equal((started.step.observation as any).metadata.seed, 3);

      await assert.rejects(client.callTool('reset', {}), /type: tool_not_found/);
      await assert.rejects(client.callTool('take_action', { action_type: 'select_batch', batch_size: 10, strategy_weights: { greedy: 1 } }), /type: invalid_args/);
      const bad = client.frames.at(-1).data;
      assert.equal(bad.metadata.error.reason, 'invalid_action');
      assert.deepEqual(bad.metadata.error.errors[0].loc, ['arguments', 'strategy_weights', 'greedy']);
      await assert.rejects(client.step({ kind: 'call', tool_name: 'get_state', arguments: 'x' as any }).then((r) => {
        if ((r.observation as any).error) throw new Error((r.observation as any).error.error_type);
      }), /invalid_args/);

      const stop = await client.callTool('take_action', { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
      assert.equal(stop.step.done, true);
      assert.ok(stop.step.observation.kind === 'call' && (stop.step.observation as any).metadata.grade, 'grade in metadata once done');
      const over = await client.callTool('take_action', BALANCED);
      assert.equal(over.value.error.reason, 'episode_over');
      assert.equal(over.step.done, true);

      for (const f of client.frames) assert.notEqual(f.type, 'error', JSON.stringify(f));
      // The plain environment step still works on the same connection.
      const plain = await ws.request({ type: 'step', data: { type: 'list_tools', extra: 1 } });
      assert.equal(plain.type, 'observation');
      const action = await ws.request({ type: 'step', data: BALANCED });
      assert.equal(action.type, 'error');
      assert.equal(action.data.reason, 'episode_over');
    } finally {
      ws.close();
    }
  });
});
