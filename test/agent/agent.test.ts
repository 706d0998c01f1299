import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AgentAbort,
  FALLBACK_ACTION,
  ModelError,
  OpenAIChatModel,
  parseModelAnswer,
  resolveAgentSettings,
  runAgent,
  systemPrompt,
  userPrompt,
  type AgentReport,
  type ChatModel,
} from '../../src/agent/index.ts';
import { InProcessEnvironment } from '../../src/client/index.ts';
import { getTask } from '../../src/env/tasks.ts';
import type { Observation } from '../../src/env/types.ts';
import { runCli } from '../cli/run-cli.ts';
import { runAgentCommand, type AgentCliOptions } from '../../src/cli/commands/agent.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { startServer } from '../server/helpers.ts';
import { GOOD_ANSWER, MOCK_USAGE, startMockOpenAI, type MockReply, type MockServer } from './mock-openai.ts';
import { meanConfidenceInterval } from '../../src/eval/stats.ts';

const easy = getTask('easy')!;
const obs: Observation = { remaining_budget: 120, diversity_score: 1.01, noise_estimate: 0.05, current_performance: 0.68, samples_available: 1000 };
const parse = (text: string) => parseModelAnswer(text, easy, obs);

describe('parsing model answers', () => {
  it('plain JSON, prose around JSON, code fences, an `action` wrapper', () => {
    const want = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } };
    for (const text of [
      GOOD_ANSWER,
      `Given the low noise I pick a balanced mix:\n${GOOD_ANSWER}\nThat should help.`,
      `\`\`\`json\n${GOOD_ANSWER}\n\`\`\``,
      `Here you go:\n\`\`\`\n${GOOD_ANSWER}\n\`\`\`\nGood luck {not json}`,
      `{"reasoning": "a {brace} in a string", "action": ${GOOD_ANSWER}}`,
    ]) {
      const p = parse(text);
      assert.equal(p.status, 'ok', text);
      assert.deepEqual(p.action, want, text);
      assert.deepEqual(p.warnings, []);
    }
  });

  it('out-of-range values are clamped, with a warning each', () => {
    const p = parse('{"action_type": "Select_Batch", "batch_size": 500, "strategy_weights": {"uncertainty": -1, "diversity": 2, "greedy": 1}}');
    assert.equal(p.status, 'repaired');
    assert.deepEqual(p.action, { action_type: 'select_batch', batch_size: 120, strategy_weights: { uncertainty: 0, diversity: 1 } });
    assert.equal(p.warnings.length, 5, p.warnings.join('\n'));
    const small = parse('{"action_type": "select_batch", "batch_size": 1.4, "strategy_weights": {"random": "0.5"}}');
    assert.deepEqual(small.action, { action_type: 'select_batch', batch_size: 5, strategy_weights: { random: 0.5 } });
    assert.equal(small.status, 'repaired');
  });

  it('a stop needs no batch or weights', () => {
    const p = parse('{"action_type": "stop"}');
    assert.deepEqual(p.action, { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
    assert.equal(p.status, 'ok');
  });

  it("anything unusable falls back to the original's action with the reason", () => {
    const cases: [string, RegExp][] = [
      ['I think we should select more diverse samples.', /no JSON action object/],
      ['{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"uncertainty": 0.3', /no JSON action object/],
      ['{"action_type": "explore", "batch_size": 10, "strategy_weights": {"random": 1}}', /action_type "explore"/],
      ['{"action_type": "select_batch", "batch_size": "ten", "strategy_weights": {"random": 1}}', /batch_size "ten"/],
      ['{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"random": 0, "diversity": 0}}', /all strategy weights are zero/],
      ['{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"greedy": 1}}', /no usable strategy weight/],
      ['{"action_type": "select_batch", "batch_size": 10, "strategy_weights": [0.5, 0.5]}', /not an object/],
      ['{"action_type": "select_batch", "batch_size": 10}', /strategy_weights is missing/],
      ['', /no JSON action object/],
    ];
    for (const [text, why] of cases) {
      const p = parse(text);
      assert.equal(p.status, 'fallback', text);
      assert.deepEqual(p.action, FALLBACK_ACTION);
      assert.match(p.warnings.at(-1)!, why);
      assert.match(p.warnings.at(-1)!, /fallback/);
    }
  });
});

describe('prompt and settings', () => {
  it('the system prompt carries the task rules from the registry; the user prompt the observation', () => {
    const s = systemPrompt(getTask('hard')!);
    assert.match(s, /budget=100, max_steps=8, min_batch=5/);
    assert.match(s, /current_performance > 0\.58/);
    for (const f of Object.keys(obs)) assert.ok(s.includes(f), f);
    const u = userPrompt(obs, { step: 2, maxSteps: 8, previous: { action: FALLBACK_ACTION, reward: -0.5 } });
    assert.ok(u.includes(JSON.stringify(obs, null, 2)));
    assert.match(u, /Step 3 of at most 8/);
    assert.match(u, /reward -0\.5000/);
  });

  it('flags over the original runner\'s variables over the openai ones', () => {
    const env = { API_BASE_URL: 'http://a/v1', OPENAI_BASE_URL: 'http://b/v1', MODEL_NAME: 'm', HF_TOKEN: 'hf', OPENAI_API_KEY: 'sk', ENV_HOST: 'http://env:7860' };
    const s = resolveAgentSettings({}, env);
    assert.deepEqual([s.baseURL, s.model, s.apiKey, s.envUrl], ['http://a/v1', 'm', 'hf', 'http://env:7860']);
    const f = resolveAgentSettings({ baseUrl: 'http://c/v1', model: 'x', apiKey: 'k', url: 'http://h' }, env);
    assert.deepEqual([f.baseURL, f.model, f.apiKey, f.envUrl], ['http://c/v1', 'x', 'k', 'http://h']);
    const o = resolveAgentSettings({}, { OPENAI_BASE_URL: 'http://b/v1', OPENAI_API_KEY: 'sk', MODEL_NAME: 'm' });
    assert.deepEqual([o.baseURL, o.apiKey, o.envUrl], ['http://b/v1', 'sk', undefined]);
    assert.throws(() => resolveAgentSettings({}, { HF_TOKEN: 'x' }), /MODEL_NAME/);
    assert.throws(() => resolveAgentSettings({ model: 'm' }, {}), /HF_TOKEN or OPENAI_API_KEY/);
  });
});

/** A scripted model without HTTP, for the loop's own logic. */
function scripted(answers: (string | Error)[]): ChatModel {
  return {
    model: 'scripted',
    async complete() {
      const a = answers.shift() ?? GOOD_ANSWER;
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

describe('agent loop', () => {
  it('plays to the end, grades, and counts fallbacks', async () => {
    const lines: string[] = [];
    const r = await runAgent(new InProcessEnvironment(), scripted(['nonsense', GOOD_ANSWER, new ModelError('transport', 'down', 4)]), {
      tasks: ['hard'],
      seed: 42,
      log: (l) => lines.push(l),
    });
    const e = r.episodes[0];
    assert.equal(e.steps.length, 8);
    assert.deepEqual(e.steps.slice(0, 3).map((s) => s.status), ['fallback', 'ok', 'fallback']);
    assert.equal(e.fallbacks, 2);
    assert.equal(e.model_failures, 1);
    assert.ok(e.grade && e.grade.task_id === 'hard');
    assert.equal(r.mean_score, e.grade.score);
    assert.equal(lines.filter((l) => /^\[hard\] step /.test(l)).length, 8, 'one log line per step');
  });

  it("a model with chat(): usage per call, the endpoint's own cost summed", async () => {
    const model: ChatModel = {
      model: 'priced',
      complete: async () => GOOD_ANSWER,
      chat: async () => ({
        content: GOOD_ANSWER,
        toolCalls: [],
        finishReason: 'stop',
        usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60, cost_usd: 0.001 },
        attempts: 1,
        retries: [],
        structuredOutput: 'off',
      }),
    };
    const r = await runAgent(new InProcessEnvironment(), model, { tasks: ['hard'], seeds: [1, 2], price: { prompt: 1, completion: 1 } });
    const n = r.summary.model_calls;
    assert.equal(n, r.episodes[0].steps.length + r.episodes[1].steps.length);
    assert.deepEqual(r.summary.tokens, { prompt: 50 * n, completion: 10 * n, total: 60 * n, calls_with_usage: n, calls_without_usage: 0 });
    assert.equal(r.summary.cost?.basis, 'endpoint');
    assert.ok(Math.abs(r.summary.cost!.usd - 0.001 * n) < 1e-12);
    assert.deepEqual(r.episodes[0].tokens, { prompt: 50 * r.episodes[0].steps.length, completion: 10 * r.episodes[0].steps.length, total: 60 * r.episodes[0].steps.length });
  });

  it('gives up on a task after 3 consecutive model failures, and aborts on a refused request', async () => {
    const down = () => new ModelError('transport', 'down', 4);
    const r = await runAgent(new InProcessEnvironment(), scripted([down(), down(), down()]), { tasks: ['easy'], seed: 1 });
    assert.equal(r.episodes[0].grade, null);
    assert.equal(r.episodes[0].error?.code, 'MODEL_ERROR');
    assert.equal(r.episodes[0].steps.length, 2);
    assert.equal(r.mean_score, null);
    await assert.rejects(
      runAgent(new InProcessEnvironment(), scripted([new ModelError('rejected', 'HTTP 401', 1)]), { tasks: ['easy'], seed: 1 }),
      AgentAbort,
    );
  });
});

describe('OpenAIChatModel against a local chat-completions server', () => {
  let mock: MockServer;
  const script: MockReply[] = [];
  before(async () => {
    mock = await startMockOpenAI(script);
  });
  after(() => mock.close());
  const model = (o: Partial<ConstructorParameters<typeof OpenAIChatModel>[0]> = {}) =>
    new OpenAIChatModel({ baseURL: mock.baseURL, apiKey: 'test-key', model: 'mock-1', timeoutMs: 10_000, maxRetries: 2, backoffMs: 5, ...o });

  // Timeouts: a normal answer must never come close to the client's timeout, even at a load
  // average of 20, so the model's timeout here is generous (10 s) and only a `hang` reply — which
  // never answers — exercises it, in its own test with a shorter timeout and assertions that hold
  // even if a normal answer were late too.
  it('retries a 500, a dropped connection and a 429 with growing delays, then answers', async () => {
    script.push({ status: 500 }, { drop: true }, { status: 429 }, { content: 'hello' });
    const delays: number[] = [];
    const m = model({ maxRetries: 3, onRetry: (i) => delays.push(i.delayMs) });
    const n0 = mock.requests.length;
    assert.equal(await m.complete([{ role: 'user', content: 'hi' }]), 'hello');
    assert.equal(mock.requests.length - n0, 4);
    assert.deepEqual(delays, [5, 10, 20]);
    const req = mock.requests.at(-1)!;
    assert.equal(req.authorization, 'Bearer test-key');
    assert.equal(req.body.model, 'mock-1');
    assert.equal(req.body.temperature, 0);
    assert.equal(req.body.max_tokens, 200);
  });

  it('retries a request that times out', async () => {
    // Every answer after the hang is 'hello', so an extra timeout under load changes nothing here.
    script.push({ hang: true }, { content: 'hello' }, { content: 'hello' }, { content: 'hello' });
    const errors: string[] = [];
    const m = model({ timeoutMs: 1000, maxRetries: 3, onRetry: (i) => errors.push(i.error) });
    const n0 = mock.requests.length;
    try {
      assert.equal(await m.complete([{ role: 'user', content: 'hi' }]), 'hello');
      assert.equal(errors[0], 'timeout');
      assert.ok(mock.requests.length - n0 >= 2);
    } finally {
      script.length = 0;
    }
  });

  it('bounded: gives up after maxRetries; does not retry a 401', async () => {
    script.push({ status: 503 }, { status: 503 }, { status: 503 });
    const n0 = mock.requests.length;
    await assert.rejects(model().complete([{ role: 'user', content: 'x' }]), (e: unknown) => e instanceof ModelError && e.reason === 'transport' && e.attempts === 3);
    assert.equal(mock.requests.length - n0, 3);
    script.push({ status: 401, body: { error: { message: 'bad key', type: 'invalid_request_error' } } });
    await assert.rejects(model().complete([{ role: 'user', content: 'x' }]), (e: unknown) => e instanceof ModelError && e.reason === 'rejected' && e.attempts === 1);
    assert.equal(mock.requests.length - n0, 4);
  });
});

describe('agent command (subprocess) against the mock server', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockOpenAI([
      { content: GOOD_ANSWER },
      { content: 'Thinking… {"action_type": "select_batch", "batch_size": 12, "strategy_weights": {"diversity": 0.6, "random": 0.4}} done.' },
      { content: '```json\n{"action_type": "select_batch", "batch_size": 8, "strategy_weights": {"random": 1}}\n```' },
      { content: 'not JSON at all' },
      { content: '{"action_type": "select_batch", "batch_size": 3, "strategy_weights": {"uncertainty": 1.5}}' },
      { status: 500 },
      { hang: true },
      { content: GOOD_ANSWER },
    ]);
  });
  after(() => mock.close());

  it('--json: parsing, fallback and retry end to end, graded', async () => {
    const r = await runCli(['agent', '--task', 'hard', '--seed', '7', '--json', '--retries', '2', '--backoff', '10', '--timeout', '2000'], {
      env: { API_BASE_URL: mock.baseURL, MODEL_NAME: 'mock-model', HF_TOKEN: 'hf-test', OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, ENV_HOST: undefined },
    });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as AgentReport;
    assert.equal(report.model, 'mock-model');
    assert.equal(report.transport, 'inprocess');
    const e = report.episodes[0];
    assert.equal(e.task_id, 'hard');
    assert.deepEqual(e.steps.map((s) => s.status), ['ok', 'ok', 'ok', 'fallback', 'repaired', 'ok', 'ok', 'ok']);
    assert.deepEqual(e.steps[1].action, { action_type: 'select_batch', batch_size: 12, strategy_weights: { diversity: 0.6, random: 0.4 } });
    assert.deepEqual(e.steps[3].action, FALLBACK_ACTION);
    assert.deepEqual(e.steps[4].action, { action_type: 'select_batch', batch_size: 5, strategy_weights: { uncertainty: 1 } });
    assert.ok(e.grade !== null && typeof e.grade.score === 'number');
    assert.equal(e.fallbacks, 1);
    // 8 steps + one retry after the 500 + one after the timeout.
    assert.equal(mock.requests.length, 10);
    assert.equal(mock.requests[0].authorization, 'Bearer hf-test');
    assert.match(mock.requests[0].body.messages![0].content, /Task 'hard'/);
    assert.match(r.stderr, /\[hard\] model call failed \(HTTP 500.*retry 1 in 10 ms/);
    assert.match(r.stderr, /\[hard\] model call failed \(timeout\); retry 2 in 20 ms/);
    assert.match(r.stderr, /\[hard\] warning: no JSON action object found in the answer; playing the fallback action/);
    assert.match(r.stderr, /\[hard\] step  8 .* done/);

    // The transcript: every step's request (system prompt by reference), raw answer, parse
    // outcome with its reason, usage, latency and retries.
    assert.equal(report.system_prompts.hard, systemPrompt(getTask('hard')!));
    assert.deepEqual(e.steps.map((s) => s.parse.outcome), ['ok', 'ok', 'ok', 'refused', 'repaired', 'ok', 'ok', 'ok']);
    const [s0, , , s3, s4, s5] = e.steps;
    assert.deepEqual(s0.model_calls[0].messages[0], { role: 'system', ref: 'hard' });
    assert.equal(s0.model_calls[0].messages[1].role, 'user');
    assert.equal(s0.model_calls[0].messages.length, 2);
    assert.equal(s0.model_calls[0].answer?.content, GOOD_ANSWER);
    assert.deepEqual(s0.model_calls[0].usage, MOCK_USAGE);
    assert.deepEqual(s0.tokens, { prompt: 100, completion: 30, total: 130 });
    assert.equal(s0.parse.reason, null);
    const sent = mock.requests[0].body.messages!;
    assert.equal(s0.prompt_chars, sent[0].content.length + sent[1].content.length);
    assert.equal((s0.model_calls[0].messages[1] as { content: string }).content, sent[1].content);
    assert.equal(s3.model_calls[0].answer?.content, 'not JSON at all');
    assert.match(s3.parse.reason!, /no JSON action object/);
    assert.match(s4.parse.reason!, /clamped/);
    // Step 6's call: a 500, then a timeout, then the answer.
    assert.deepEqual(s5.model_calls[0].retries.map((x) => [x.attempt, x.delayMs]), [[1, 10], [2, 20]]);
    assert.match(s5.model_calls[0].retries[0].error, /HTTP 500/);
    assert.equal(s5.model_calls[0].retries[1].error, 'timeout');
    assert.equal(s5.model_calls[0].attempts, 3);
    for (const s of e.steps) assert.ok(s.model_calls[0].latency_ms >= 0 && s.llm_ms === s.model_calls[0].latency_ms);
    assert.equal(report.summary.model_calls, 8);
    assert.equal(report.summary.retries, 2);
    assert.deepEqual(report.summary.parse, { ok: 6, repaired: 1, refused: 1, no_answer: 0 });
    assert.deepEqual(report.summary.tokens, { prompt: 800, completion: 240, total: 1040, calls_with_usage: 8, calls_without_usage: 0 });
    assert.equal(report.summary.cost, null, 'no price given and the endpoint prices nothing');
    assert.equal(report.summary.prompt_size.chars.max, Math.max(...e.steps.map((s) => s.prompt_chars)));
    assert.deepEqual(report.summary.prompt_size.tokens, { min: 100, mean: 100, max: 100 });
  });

  it('--seeds and --tasks: every task on every seed, a CI report like eval, cost from --price, usage null when not reported', async () => {
    const noUsage = Array.from({ length: 20 }, () => ({ content: GOOD_ANSWER, usage: null }));
    const m2 = await startMockOpenAI([]);
    try {
      const env = { API_BASE_URL: m2.baseURL, MODEL_NAME: 'mock-model', HF_TOKEN: 'hf-test', OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, ENV_HOST: undefined };
      const [json, human] = await Promise.all([
        runCli(['agent', '--tasks', 'hard,medium', '--seeds', '0..2', '--price', '1,2', '--json', '--quiet'], { env }),
        runCli(['agent', '--tasks', 'hard', '--seeds', '3,5', '--quiet'], { env }),
      ]);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as AgentReport;
      assert.deepEqual(report.seeds, [0, 1, 2]);
      assert.deepEqual(report.episodes.map((e) => `${e.task_id}/${e.seed}`), ['hard/0', 'hard/1', 'hard/2', 'medium/0', 'medium/1', 'medium/2']);
      assert.deepEqual(report.tasks.map((t) => t.task_id), ['hard', 'medium']);
      for (const t of report.tasks) {
        const scores = report.episodes.filter((e) => e.task_id === t.task_id).map((e) => e.grade!.score);
        const ci = meanConfidenceInterval(scores);
        assert.equal(t.episodes, 3);
        assert.equal(t.mean_grade, ci.mean);
        assert.equal(t.ci95_low, ci.low);
        assert.equal(t.ci95_high, ci.high);
        assert.equal(t.pass_rate, report.episodes.filter((e) => e.task_id === t.task_id && e.grade!.passed).length / 3);
      }
      const calls = report.summary.model_calls;
      assert.equal(calls, report.episodes.reduce((n, e) => n + e.steps.length, 0));
      assert.deepEqual(report.summary.tokens, { prompt: 100 * calls, completion: 30 * calls, total: 130 * calls, calls_with_usage: calls, calls_without_usage: 0 });
      assert.deepEqual(report.summary.cost, { usd: (100 * calls * 1 + 30 * calls * 2) / 1e6, basis: 'price' });
      assert.ok(report.summary.wall_ms > 0);

      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /agent mock-model · inprocess · json mode · 2 seeds/);
      assert.match(human.stdout, /hard +seed 3 +score/);
      assert.match(human.stdout, /task +n +mean grade +95% CI +pass rate/);
      assert.match(human.stdout, /^hard +2 +\d\.\d{4} +\[-?\d\.\d{4}, -?\d\.\d{4}\] +\d+\.\d%/m);
      assert.match(human.stdout, /tokens 1600 prompt \+ 480 completion; prompt \d+–\d+ chars/);

      m2.requests.length = 0;
      const m3 = await startMockOpenAI(noUsage);
      try {
        const r = await runCli(['agent', '--tasks', 'hard', '--seed', '1', '--price', '1,2', '--json', '--quiet'], { env: { ...env, API_BASE_URL: m3.baseURL } });
        assert.equal(r.code, 0, r.stderr);
        const rep = JSON.parse(r.stdout) as AgentReport;
        assert.deepEqual(rep.seeds, [1]);
        assert.equal(rep.summary.tokens, null);
        assert.equal(rep.summary.cost, null);
        assert.equal(rep.summary.prompt_size.tokens, null);
        assert.ok(rep.episodes[0].steps.every((s) => s.tokens === null && s.model_calls[0].usage === null));
      } finally {
        await m3.close();
      }
    } finally {
      await m2.close();
    }
  });

  it('bad --seeds / --seed / --tasks / --price are usage errors', async () => {
    const base = { model: 'm', apiKey: 'k', transport: 'ws', temperature: '0', maxTokens: '200', timeout: '1000', retries: '0', backoff: '1', mode: 'json', structuredOutput: true };
    const cases: [Partial<AgentCliOptions>, RegExp][] = [
      [{ seeds: '0..2', seed: '1' }, /--seeds or --seed, not both/],
      [{ tasks: 'easy', task: 'hard' }, /--tasks or --task, not both/],
      [{ seeds: '5..1' }, /is empty/],
      [{ seed: '-1' }, /--seed must be an integer/],
      [{ tasks: 'curation-eas' }, /unknown task 'curation-eas'/],
      [{ price: 'cheap' }, /--price must be IN,OUT/],
      [{ mode: 'chat' }, /--mode must be json or tools/],
    ];
    for (const [opts, why] of cases) {
      await assert.rejects(runAgentCommand({ ...base, ...opts }), (e: unknown) => e instanceof UsageError && why.test(e.message), JSON.stringify(opts));
    }
  });

  it('a missing model name is a usage error (exit 2)', async () => {
    const r = await runCli(['agent', '--api-key', 'k'], { env: { MODEL_NAME: undefined } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no model name: pass --model or set MODEL_NAME/);
  });
});

describe('agent command against a running environment server', () => {
  it('plays classic and curation tasks over the WebSocket (as the original runner), the same as in process', async () => {
    const [mock, server] = await Promise.all([startMockOpenAI([]), startServer()]);
    try {
      const args = ['agent', '--url', server.url, '--tasks', 'easy,medium,hard,curation-hard', '--model', 'mock-model', '--api-key', 'k', '--base-url', mock.baseURL, '--json', '--quiet'];
      const [ws, local] = await Promise.all([runCli(args), runCli(args.filter((a, i) => a !== '--url' && args[i - 1] !== '--url'))]);
      assert.equal(ws.code, 0, ws.stderr);
      assert.equal(local.code, 0, local.stderr);
      const remote = JSON.parse(ws.stdout) as AgentReport;
      const inproc = JSON.parse(local.stdout) as AgentReport;
      assert.equal(remote.transport, 'ws');
      assert.equal(inproc.transport, 'inprocess');
      assert.deepEqual(remote.episodes.map((e) => e.task_id), ['easy', 'medium', 'hard', 'curation-hard']);
      // Same model answers, same seed: the server's episodes are the in-process ones.
      assert.deepEqual(remote.episodes.map((e) => e.grade), inproc.episodes.map((e) => e.grade));
      assert.equal(remote.mean_score, inproc.mean_score);
      assert.equal(ws.stderr.includes('[easy] step'), false, '--quiet silences the step log');
    } finally {
      await Promise.all([mock.close(), server.close()]);
    }
  });
});
