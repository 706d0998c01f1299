/**
 * The agent on the curation family: its prompts never reveal the hidden annotator conditions,
 * every prompt carries the episode so far, and an episode runs end to end against the mock model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenAIChatModel, parseModelAnswer, runAgent, systemPrompt, userPrompt, type AgentReport } from '../../src/agent/index.ts';
import { getStrategy } from '../../src/env/strategies/index.ts';
import { InProcessEnvironment } from '../../src/client/index.ts';
import { CURATION, REGIMES } from '../../src/env/curation/params.ts';
import { TASK_IDS, getTask, type CurationTaskSpec } from '../../src/env/tasks.ts';
import type { CurationObservation } from '../../src/env/types.ts';
import { startMockOpenAI, type MockServer } from './mock-openai.ts';

/** Words that would name the hidden regime or what it does to the data. */
const FORBIDDEN_WORDS = new RegExp(`\\b(${[...REGIMES, 'regimes?', 'low[- ]quality', 'default(s|ed|ing)?', 'flip(s|ped)?'].join('|')})\\b`, 'i');

/** The regime's own numbers: its probability, its flip rates, and every anchor of the task (several roundings). */
function forbiddenNumbers(task: CurationTaskSpec | null): string[] {
  const xs: number[] = [CURATION.pDefaulting, CURATION.defaulting.rhoDeg1];
  if (task) for (const r of REGIMES) xs.push(task.anchors[r].random, task.anchors[r].reference, task.anchors[r].oracle_uncertainty, task.anchors[r].oracle_diversity);
  const out = new Set<string>();
  for (const x of xs) {
    out.add(String(x));
    for (const d of [2, 3, 4]) out.add(x.toFixed(d).replace(/0+$/, '').replace(/\.$/, ''));
  }
  return [...out].filter((s) => s.includes('.'));
}

/** Names everywhere; the regime's numbers in fixed texts (`numbers`), not in observations, whose values are free. */
function assertRevealsNothing(text: string, task: CurationTaskSpec | null, what: string, numbers = true): void {
  const m = FORBIDDEN_WORDS.exec(text);
  assert.equal(m, null, `${what} names ${JSON.stringify(m?.[0])}`);
  if (!numbers) return;
  for (const n of forbiddenNumbers(task)) {
    const re = new RegExp(`(?<![\\d.])${n.replace('.', '\\.')}(?!\\d)`);
    assert.equal(re.test(text), false, `${what} contains the number ${n}`);
  }
}

const stats = (n: number, d: number, e: number, l: number, p: number) => ({ n, disagree: d, expected: e, label_mean: l, pred_mean: p });

describe('curation prompts', () => {
  it('the system prompt explains the observation from the registry, last_batch and the calibration gap, and reveals no regime', () => {
    for (const id of TASK_IDS) {
      const task = getTask(id)!;
      for (const mode of ['json', 'tools'] as const) {
        const s = systemPrompt(task, { mode });
        assertRevealsNothing(s, task.family === 'curation' ? task : null, `system prompt of ${id} (${mode})`);
        if (task.family !== 'curation') continue;
        assert.match(s, new RegExp(`budget=${task.budget}, max_steps=${task.maxSteps}, min_batch=${task.minBatch}`));
        assert.match(s, new RegExp(`you start with ${task.nSeed} labelled rows`));
        for (const f of ['validation_accuracy', 'pool_uncertainty', 'last_batch', 'label_mean', 'pred_mean', 'disagree', 'expected', 'steps_left']) assert.ok(s.includes(f), `${id}: ${f}`);
        assert.match(s, /calibration gap label_mean − pred_mean/);
        assert.match(s, /score ≥ 0\.5/);
        assert.ok(s.includes(task.summary), 'the registry summary');
        for (const n of task.strategies.filter((x) => !['uncertainty', 'diversity', 'random'].includes(x))) {
          assert.ok(s.includes(`  - ${n}: ${getStrategy(n)!.definition}`), `${id}: the registry's definition of ${n}`);
        }
        if (mode === 'tools') assert.match(s, /take_action/);
        else assert.match(s, /JSON object and nothing else/);
      }
    }
  });

  it('the user message carries every earlier step compactly (action, reward, signals incl. calibration gaps)', () => {
    const obs: CurationObservation = {
      remaining_budget: 60,
      samples_available: 1180,
      current_performance: 0.61,
      noise_estimate: 0.12,
      diversity_score: 0.98,
      validation_accuracy: 0.74,
      step: 2,
      steps_left: 6,
      labelled: 28,
      pool_uncertainty: 0.41,
      last_batch: { uncertainty: stats(6, 0.5, 0.3, 0.2, 0.55), diversity: stats(4, 0.25, 0.2, 0.5, 0.45), random: null, margin: stats(2, 0, 0.4, 0.5, 0.5), total: { n: 12, disagree: 0.4, expected: 0.26 } },
    };
    const action = { action_type: 'select_batch' as const, batch_size: 10, strategy_weights: { uncertainty: 0.6, diversity: 0.4, margin: 0.2 } };
    const u = userPrompt(obs, {
      step: 2,
      maxSteps: 8,
      history: [
        { step: 1, action, outcome: 'refused', reward: -0.02, observation: { ...obs, last_batch: null } as CurationObservation },
        { step: 2, action, outcome: 'ok', reward: 0.0312, observation: obs },
      ],
    });
    assert.match(u, /Step 3 of at most 8/);
    assert.match(u, /^1\. select 10 u\.60 d\.40 margin \.20 \(your answer was refused; the fallback action was played\) → reward -0\.0200 \| perf 0\.6100 budget 60 noise 0\.120 val_acc 0\.740 pool_unc 0\.410$/m);
    assert.match(u, /^2\. select 10 u\.60 d\.40 margin \.20 → reward \+0\.0312 \| .* \| u n6 dis 0\.50\/exp 0\.30 gap -0\.35; d n4 dis 0\.25\/exp 0\.20 gap \+0\.05; margin n2 dis 0\.00\/exp 0\.40 gap \+0\.00$/m);
    assert.ok(u.includes(JSON.stringify(obs, null, 2)));
  });

  it("the parser accepts the task's own strategies", () => {
    const text = '{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"margin": 1}}';
    const o = { remaining_budget: 80, diversity_score: 1, noise_estimate: 0, current_performance: 0.5, samples_available: 1200 };
    const cur = parseModelAnswer(text, getTask('curation-hard')!, o);
    assert.equal(cur.status, 'ok');
    assert.deepEqual(cur.action.strategy_weights, { margin: 1 });
    const classic = parseModelAnswer(text, getTask('hard')!, o);
    assert.equal(classic.status, 'fallback');
    assert.match(classic.warnings.join(' '), /unknown strategy 'margin' dropped/);
  });
});

describe('agent on a curation task against the mock model', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockOpenAI([]);
  });
  after(() => mock.close());

  it('plays curation-hard end to end in both regimes; every request has the episode so far; nothing reveals the regime', async () => {
    const model = new OpenAIChatModel({ baseURL: mock.baseURL, apiKey: 'k', model: 'mock', timeoutMs: 10_000, maxRetries: 1, backoffMs: 5 });
    // Seeds 0 and 1 are one source of each kind (the grade says which; the prompts must not).
    const report: AgentReport = await runAgent(new InProcessEnvironment(), model, { tasks: ['curation-hard'], seeds: [0, 1] });
    assert.deepEqual(report.episodes.map((e) => e.grade?.breakdown.regime).sort(), [...REGIMES].sort());
    const task = getTask('curation-hard') as CurationTaskSpec;
    assert.equal(mock.requests.length, report.summary.model_calls);
    let call = 0;
    for (const e of report.episodes) {
      assert.equal(e.error, null);
      assert.equal(e.steps.length, task.maxSteps, 'batches of 10 over a budget of 80');
      assert.equal(typeof e.grade!.score, 'number');
      e.steps.forEach((s, i) => {
        const sent = mock.requests[call++].body.messages!;
        assert.equal(sent[0].content, report.system_prompts['curation-hard']);
        const user = sent[1].content;
        assertRevealsNothing(user, null, `user message of step ${i + 1}`, false);
        const lines = user.split('\n').filter((l) => /^\d+\. /.test(l));
        assert.equal(lines.length, i, `step ${i + 1} shows the ${i} earlier steps`);
        if (i > 0) assert.match(lines[0], /^1\. select 10 u\.40 d\.40 r\.20 → reward [+-]\d\.\d{4} \| perf .* \| u n4 .* gap [+-]\d\.\d{2}; d n4 .*; r n2 /);
        assert.equal(s.prompt_chars, sent[0].content.length + sent[1].content.length);
        if (i > 0) assert.ok(s.prompt_chars > e.steps[i - 1].prompt_chars, 'the history grows');
      });
    }
    assertRevealsNothing(report.system_prompts['curation-hard'], task, 'system prompt');
    const size = report.summary.prompt_size_by_task['curation-hard'];
    assert.equal(size.calls, 2 * task.maxSteps);
    assert.ok(size.chars.max > size.chars.min);
  });
});
