/**
 * The tool-calling mode (tools from the MCP tool list; parallel, malformed, unknown and text-only
 * answers handled and logged) and structured output in the default mode (used where the endpoint
 * accepts it, falling back to the text parser where it refuses it) — all against the mock model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  FALLBACK_ACTION,
  MAX_READ_TURNS,
  OpenAIChatModel,
  actionResponseSchema,
  agentTools,
  runAgent,
  type AgentReport,
  type ChatMessage,
  type TranscriptMessage,
} from '../../src/agent/index.ts';
import { HttpEnvironment, InProcessEnvironment } from '../../src/client/index.ts';
import { ActionSchema } from '../../src/protocol/wire.ts';
import { TOOLS } from '../../src/server/mcp.ts';
import { runCli } from '../cli/run-cli.ts';
import { startServer, type TestServer } from '../server/helpers.ts';
import { GOOD_ANSWER, startMockOpenAI, type MockReply, type MockServer, type RecordedMessage } from './mock-openai.ts';

const act = (args: string | Record<string, unknown>) => ({ name: 'take_action', arguments: args });
const A = { action_type: 'select_batch', batch_size: 12, strategy_weights: { diversity: 0.6, random: 0.4 } };
const B = { action_type: 'select_batch', batch_size: 7, strategy_weights: { uncertainty: 1 } };

describe('tool definitions', () => {
  it('are the MCP tools take_action and get_state, without episode_id (the runner binds the episode)', () => {
    const tools = agentTools();
    assert.deepEqual(tools.map((t) => t.function.name), ['take_action', 'get_state']);
    for (const t of tools) {
      const mcp = TOOLS.find((x) => x.name === t.function.name)!;
      assert.equal(t.type, 'function');
      assert.equal(t.function.description, mcp.description);
      const want = JSON.parse(JSON.stringify(mcp.inputSchema)) as { properties: Record<string, unknown>; required?: string[] };
      delete want.properties.episode_id;
      if (want.required) want.required = want.required.filter((k) => k !== 'episode_id');
      if (want.required?.length === 0) delete want.required;
      assert.deepEqual(t.function.parameters, want);
    }
    assert.deepEqual(Object.keys((tools[0].function.parameters as { properties: object }).properties), Object.keys(ActionSchema.properties));
    assert.deepEqual(actionResponseSchema().schema, JSON.parse(JSON.stringify(ActionSchema)));
  });
});

/** The conversation the transcript describes: per call its new messages, then the model's answer. */
function replay(calls: { messages: TranscriptMessage[]; answer: { content: string | null; tool_calls: unknown[] } | null }[], system: string): unknown[] {
  const out: unknown[] = [];
  for (const c of calls) {
    for (const m of c.messages) out.push(m.role === 'system' ? { role: 'system', content: system } : m);
    if (c.answer) out.push(c.answer.tool_calls.length > 0 ? { role: 'assistant', content: c.answer.content, tool_calls: c.answer.tool_calls } : { role: 'assistant', content: c.answer.content });
  }
  return out;
}

describe('agent --mode tools against the mock model', () => {
  let mock: MockServer;
  let server: TestServer;
  const script: MockReply[] = [];
  before(async () => {
    [mock, server] = await Promise.all([startMockOpenAI(script), startServer()]);
  });
  after(() => Promise.all([mock.close(), server.close()]));

  it('plays an episode over HTTP through take_action; reads, parallel, malformed, unknown and text answers are repaired or refused with the reason', async () => {
    script.push(
      { toolCalls: [act(GOOD_ANSWER)] }, // 1: ok
      { toolCalls: [{ name: 'get_state', arguments: '{}' }] }, // 2: a read-only turn, then
      { toolCalls: [act(A)] }, //    the action
      { toolCalls: [act(A), act(B)] }, // 3: parallel take_action calls: the first is played
      { toolCalls: [act('{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"random": 1}')] }, // 4: truncated JSON
      { content: `I choose ${JSON.stringify(B)}` }, // 5: text instead of a tool call
      { toolCalls: [{ name: 'buy_labels', arguments: JSON.stringify(A) }] }, // 6: unknown tool
      ...Array.from({ length: MAX_READ_TURNS + 1 }, () => ({ toolCalls: [{ name: 'get_state', arguments: '{}' }] })), // 7: reads only
      { toolCalls: [act({ ...B, batch_size: 500 }), { name: 'get_state', arguments: '{}' }] }, // 8: clamped, with a read
    );
    const model = new OpenAIChatModel({ baseURL: mock.baseURL, apiKey: 'k', model: 'mock', timeoutMs: 10_000, maxRetries: 1, backoffMs: 5 });
    const lines: string[] = [];
    const env = new HttpEnvironment(server.url);
    const n0 = mock.requests.length;
    const report: AgentReport = await runAgent(env, model, { tasks: ['hard'], seed: 3, mode: 'tools', log: (l) => lines.push(l) });
    await env.close();
    const e = report.episodes[0];
    assert.equal(e.error, null);
    assert.equal(report.mode, 'tools');
    assert.deepEqual(report.tools, agentTools());
    assert.deepEqual(e.steps.map((s) => s.parse.outcome), ['ok', 'ok', 'repaired', 'refused', 'repaired', 'refused', 'refused', 'repaired']);
    assert.deepEqual(e.steps.map((s) => s.model_calls.length), [1, 2, 1, 1, 1, 1, MAX_READ_TURNS + 1, 1]);
    assert.deepEqual(e.steps[1].action, A);
    assert.deepEqual(e.steps[2].action, A);
    assert.match(e.steps[2].parse.reason!, /2 take_action calls in one turn \(parallel tool calls\); only the first was played/);
    assert.deepEqual(e.steps[3].action, FALLBACK_ACTION);
    assert.match(e.steps[3].parse.reason!, /no JSON action object.*take_action arguments were/);
    assert.deepEqual(e.steps[4].action, B);
    assert.match(e.steps[4].parse.reason!, /answered in text instead of a take_action call/);
    assert.match(e.steps[5].parse.reason!, /unknown tool "buy_labels".*no take_action call; playing the fallback action/);
    assert.match(e.steps[6].parse.reason!, new RegExp(`no take_action call after ${MAX_READ_TURNS} read-only turns`));
    assert.match(e.steps[7].parse.reason!, /batch_size 500 clamped/);
    assert.ok(e.grade !== null && e.grade.task_id === 'hard');
    assert.ok(lines.some((l) => /warning: 2 take_action calls in one turn/.test(l)));

    const reqs = mock.requests.slice(n0);
    assert.equal(reqs.length, report.summary.model_calls);
    for (const r of reqs) {
      assert.deepEqual(r.body.tools, agentTools());
      assert.equal(r.body.response_format, undefined, 'no structured output in tools mode');
    }
    // Every tool call is answered, in the next request, by a tool message with its id.
    const all = reqs.at(-1)!.body.messages!;
    const answered = new Map(all.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]));
    for (const m of all) for (const c of m.tool_calls ?? []) assert.ok(answered.has(c.id), `tool call ${c.function.name} ${c.id} answered`);
    const toolMsg = (step: number, k = 0) => {
      const assistant = all.filter((m) => m.role === 'assistant' && m.tool_calls?.some((c) => c.function.name === 'take_action'))[step];
      return JSON.parse(answered.get(assistant.tool_calls![k].id)!) as Record<string, unknown>;
    };
    assert.deepEqual(toolMsg(0), { step: 1, reward: e.steps[0].reward, done: false, terminated: false, truncated: false, observation: e.steps[0].observation });
    assert.match(String(toolMsg(2, 1).error), /not executed: one take_action per turn/);
    assert.match(String(toolMsg(3).note), /no JSON action object.*action played: /);
    const state = JSON.parse(answered.get(all.find((m) => m.tool_calls?.[0]?.function.name === 'get_state')!.tool_calls![0].id)!);
    assert.equal(state.step_count, 1, 'get_state reads the episode over HTTP');
    assert.ok(all.some((m) => m.role === 'user' && /^Result of the action played \(answered in text/.test(m.content)));
    // The transcript holds the whole conversation: its calls' new messages and answers, in order.
    const lastCall = e.steps.at(-1)!.model_calls.at(-1)!;
    const calls = e.steps.flatMap((s) => s.model_calls);
    const rebuilt = replay(calls.slice(0, -1), report.system_prompts.hard).concat(lastCall.messages.map((m) => (m.role === 'system' ? { role: 'system', content: report.system_prompts.hard } : m)));
    const norm = (m: RecordedMessage | ChatMessage | unknown) => JSON.parse(JSON.stringify(m, (k, v) => (k === 'content' && v === null ? null : v)));
    assert.deepEqual(rebuilt.map(norm), all.map(norm));
  });

  it('the CLI plays a curation task in tools mode', async () => {
    const m = await startMockOpenAI([]);
    try {
      const r = await runCli(['agent', '--mode', 'tools', '--tasks', 'curation-hard', '--seed', '1', '--model', 'mock', '--api-key', 'k', '--base-url', m.baseURL, '--json', '--quiet']);
      assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(r.stdout) as AgentReport;
      assert.equal(rep.mode, 'tools');
      assert.ok(rep.episodes[0].grade !== null);
      assert.ok(rep.episodes[0].steps.every((s) => s.parse.outcome === 'ok'));
      assert.ok(m.requests.every((q) => q.body.tools?.length === 2));
      assert.match(rep.system_prompts['curation-hard'], /take_action/);
    } finally {
      await m.close();
    }
  });
});

describe('structured output in the default mode', () => {
  it('asks for json_schema output with the action schema; an endpoint that refuses it gets plain requests and the text parser', async () => {
    const [yes, no] = await Promise.all([startMockOpenAI([]), startMockOpenAI([], { refuseResponseFormat: true })]);
    try {
      const model = (m: MockServer) => new OpenAIChatModel({ baseURL: m.baseURL, apiKey: 'k', model: 'mock', timeoutMs: 10_000, maxRetries: 1, backoffMs: 5 });
      const lines: string[] = [];
      const [accepted, refused, off] = await Promise.all([
        runAgent(new InProcessEnvironment(), model(yes), { tasks: ['hard'], seed: 5 }),
        runAgent(new InProcessEnvironment(), model(no), { tasks: ['hard'], seed: 5, log: (l) => lines.push(l) }),
        runAgent(new InProcessEnvironment(), model(yes), { tasks: ['hard'], seed: 5, structuredOutput: false }),
      ]);
      const n = accepted.summary.model_calls;
      assert.deepEqual(accepted.summary.structured_output, { json_schema: n, refused: 0, off: 0 });
      const withFormat = yes.requests.filter((r) => r.body.response_format !== undefined);
      assert.equal(withFormat.length, n);
      assert.deepEqual(withFormat[0].body.response_format, { type: 'json_schema', json_schema: { name: 'action', schema: JSON.parse(JSON.stringify(ActionSchema)), strict: false } });
      assert.equal(yes.requests.length - n, off.summary.model_calls, 'structuredOutput: false sends none');
      assert.deepEqual(off.summary.structured_output, { json_schema: 0, refused: 0, off: off.summary.model_calls });

      // The refusing endpoint saw response_format once (the 400), then plain requests only.
      assert.equal(no.requests.filter((r) => r.body.response_format !== undefined).length, 1);
      assert.equal(no.requests.length, refused.summary.model_calls + 1);
      assert.deepEqual(refused.summary.structured_output, { json_schema: 0, refused: refused.summary.model_calls, off: 0 });
      assert.equal(lines.filter((l) => /note: the endpoint refused structured output \(HTTP 400/.test(l)).length, 1);
      // Same answers either way, so the same episode.
      assert.deepEqual(refused.episodes[0].grade, accepted.episodes[0].grade);
      assert.equal(refused.episodes[0].steps[0].model_calls[0].attempts, 1, 'the refusal is not a retry');
    } finally {
      await Promise.all([yes.close(), no.close()]);
    }
  });
});
