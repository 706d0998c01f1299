import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { EnvError } from '../../src/env/errors.ts';
import { fromEnvError } from '../../src/protocol/errors.ts';
import { grade } from '../../src/env/grader.ts';
import { TASKS, describeTask, getTask, successCriteria } from '../../src/env/tasks.ts';
import type { Action, Observation } from '../../src/env/types.ts';

const BALANCED: Action = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } };
const stop = (batch_size = 0): Action => ({ action_type: 'stop', batch_size, strategy_weights: { random: 1 } });

function fresh(task: string, seed = 42): DataSelectEnv {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  return env;
}

function refused(fn: () => unknown, reason: string): EnvError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EnvError, `expected EnvError, got ${e}`);
    assert.equal(e.reason, reason);
    return e;
  }
  assert.fail(`expected a refusal with ${reason}`);
}

describe('D1: stop always ends the episode', () => {
  it('stop with batch_size 0 right after reset pays 0.05 per budget unit (15 / 7.5 / 5) and counts as a step', () => {
    for (const [task, expected] of [['easy', 15], ['medium', 7.5], ['hard', 5]] as const) {
      const env = fresh(task);
      const before = env.currentObservation();
      const r = env.step(stop(0));
      assert.equal(r.reward, expected);
      assert.equal(r.done, true);
      assert.equal(r.terminated, true);
      assert.equal(r.truncated, false);
      assert.deepEqual(r.info, {});
      assert.deepEqual(r.observation, before);
      assert.equal(env.state().step_count, 1);
    }
  });
  it('below the stop threshold a stop costs −1.0 (hard/42, three baseline steps)', () => {
    const env = fresh('hard');
    for (let i = 0; i < 3; i++) env.step(BALANCED);
    assert.ok(Math.abs(env.state().current_performance! - 0.6183960514196988) <= 1e-9);
    assert.equal(env.step(stop(10)).reward, -1.0);
  });
  it('after one baseline step on hard/42 a stop pays 4.5', () => {
    const env = fresh('hard');
    env.step(BALANCED);
    assert.equal(env.step(stop(1)).reward, 4.5);
  });
});

describe('D2 and D4: done is sticky, later actions are refused and change nothing', () => {
  it('state.done after a stop; a step afterwards is episode_over with state untouched', () => {
    const env = fresh('hard');
    env.step(BALANCED);
    env.step(stop(1));
    const s = env.state();
    assert.equal(s.done, true);
    assert.equal(s.step_count, 2);
    refused(() => env.step(BALANCED), 'episode_over');
    assert.deepEqual(env.state(), s);
  });
  it('no episode before reset', () => {
    refused(() => new DataSelectEnv().step(BALANCED), 'no_episode');
  });
  it('an invalid action is refused as invalid even when the episode is over (validation first)', () => {
    const env = fresh('easy');
    env.step(stop());
    refused(() => env.step({ ...BALANCED, batch_size: -1 }), 'invalid_action');
    refused(() => new DataSelectEnv().step({ ...BALANCED, batch_size: 'x' }), 'invalid_action');
  });
});

describe('D3: budget never negative', () => {
  it('hard/42: 98 random, then 10 random charges only the 2 left', () => {
    const env = fresh('hard');
    const r1 = env.step({ action_type: 'select_batch', batch_size: 98, strategy_weights: { random: 1 } });
    assert.ok(Math.abs(r1.reward - -1.4813652328784366) <= 1e-9);
    assert.equal(r1.observation.remaining_budget, 2);
    const r2 = env.step({ action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } });
    assert.equal(r2.observation.remaining_budget, 0);
    assert.equal(r2.observation.samples_available, 1000);
    assert.equal(r2.terminated, true);
    assert.equal(r2.info.hasOwnProperty('terms') && (r2.info as any).terms.budget_cost, -0.02);
    assert.equal(env.grade().breakdown.budget_used, 100);
  });
  it('terminated wins when budget and max_steps end the episode on the same step', () => {
    // hard: budget 100, max_steps 8 → seven steps of 10, then one of 30 spends it all on step 8.
    const env = fresh('hard');
    for (let i = 0; i < 7; i++) env.step({ ...BALANCED, batch_size: 10 });
    const last = env.step({ ...BALANCED, batch_size: 30 });
    assert.equal(last.observation.remaining_budget, 0);
    assert.equal(last.terminated, true);
    assert.equal(last.truncated, false);
    const env2 = fresh('hard');
    let r;
    for (let i = 0; i < 8; i++) r = env2.step(BALANCED);
    assert.equal(r!.truncated, true);
    assert.equal(r!.terminated, false);
  });
});

describe('D5: invalid actions are refused with a clear, located error and change nothing', () => {
  const cases: [string, unknown, (string | number)[]][] = [
    ['not an object', 'select', []],
    ['array', [1, 2], []],
    ['unknown action_type', { ...BALANCED, action_type: 'explore' }, ['action_type']],
    ['batch_size missing', { action_type: 'select_batch', strategy_weights: { random: 1 } }, ['batch_size']],
    ['batch_size string', { ...BALANCED, batch_size: '10' }, ['batch_size']],
    ['batch_size boolean', { ...BALANCED, batch_size: true }, ['batch_size']],
    ['batch_size fractional', { ...BALANCED, batch_size: 2.5 }, ['batch_size']],
    ['batch_size negative', { ...BALANCED, batch_size: -1 }, ['batch_size']],
    ['batch_size infinite (1e999)', { ...BALANCED, batch_size: Infinity }, ['batch_size']],
    ['batch_size null', { ...BALANCED, batch_size: null }, ['batch_size']],
    ['weights missing', { action_type: 'select_batch', batch_size: 10 }, ['strategy_weights']],
    ['weights not an object', { ...BALANCED, strategy_weights: [0.4, 0.4, 0.2] }, ['strategy_weights']],
    ['weights empty', { ...BALANCED, strategy_weights: {} }, ['strategy_weights']],
    ['unknown weight key', { ...BALANCED, strategy_weights: { uncertainty: 0.5, exploration: 0.5 } }, ['strategy_weights', 'exploration']],
    ['mis-cased key', { ...BALANCED, strategy_weights: { Random: 1 } }, ['strategy_weights', 'Random']],
    ['negative weight', { ...BALANCED, strategy_weights: { uncertainty: 2, diversity: -1 } }, ['strategy_weights', 'diversity']],
    ['string weight', { ...BALANCED, strategy_weights: { random: '0.5' } }, ['strategy_weights', 'random']],
    ['boolean weight', { ...BALANCED, strategy_weights: { random: true } }, ['strategy_weights', 'random']],
    ['infinite weight', { ...BALANCED, strategy_weights: { uncertainty: Infinity } }, ['strategy_weights', 'uncertainty']],
    ['NaN weight', { ...BALANCED, strategy_weights: { random: NaN } }, ['strategy_weights', 'random']],
    ['all zero', { ...BALANCED, strategy_weights: { uncertainty: 0, diversity: 0 } }, ['strategy_weights']],
    ['single zero', { ...BALANCED, strategy_weights: { random: 0 } }, ['strategy_weights']],
    ['sum overflows', { ...BALANCED, strategy_weights: { uncertainty: 1e308, diversity: 1e308 } }, ['strategy_weights']],
    ['stop with bad weights', { action_type: 'stop', batch_size: 0, strategy_weights: { foo: 1 } }, ['strategy_weights', 'foo']],
  ];
  for (const [name, action, loc] of cases) {
    it(name, () => {
      const env = fresh('easy', 1);
      env.step(BALANCED);
      const before = env.state();
      const fp = env.rngFingerprint();
      const err = refused(() => env.step(action), 'invalid_action');
      assert.equal(fromEnvError(err).code, 'VALIDATION_ERROR'); // its category on the wire
      assert.ok(err.issues.length >= 1 && err.message.length > 0);
      assert.deepEqual(err.issues[0].loc, loc, JSON.stringify(err.issues));
      assert.deepEqual(env.state(), before);
      assert.deepEqual(env.rngFingerprint(), fp);
    });
  }
  it('after refusals, the next valid step equals the step of an episode that never saw them', () => {
    const a = fresh('medium', 7);
    const b = fresh('medium', 7);
    for (const [, action] of cases) assert.throws(() => a.step(action));
    assert.deepEqual(a.step(BALANCED), b.step(BALANCED));
  });
  it('accepts 10.0, integer weights, a subset of keys and extra action keys', () => {
    const env = fresh('easy');
    assert.doesNotThrow(() => env.step({ action_type: 'select_batch', batch_size: 10.0, strategy_weights: { random: 1 }, metadata: {} }));
    assert.doesNotThrow(() => env.step({ action_type: 'select_batch', batch_size: 5, strategy_weights: { diversity: 3, uncertainty: 1 } }));
  });
});

describe('D13: seeds', () => {
  it('accepts integral numbers and digit strings in 0 … 2^32−1; null/absent mean 42', () => {
    const obs = (seed: unknown) => new DataSelectEnv().reset({ task: 'hard', seed: seed as number }).observation.noise_estimate;
    assert.equal(obs(7), obs('7'));
    assert.equal(obs(7.0), obs('0000000007'));
    assert.equal(obs(null), obs(42));
    assert.equal(obs(undefined), obs(42));
    assert.equal(new DataSelectEnv().reset({ seed: '4294967295' }).info.seed, 4294967295);
  });
  for (const bad of [-1, 4294967296, 7.5, true, '+7', ' 7', '7_000', '12345678901', '', 'abc', {}, [7], NaN]) {
    it(`refuses ${JSON.stringify(bad) ?? String(bad)} with invalid_request and keeps the episode`, () => {
      const env = fresh('easy', 3);
      env.step(BALANCED);
      const before = env.state();
      const e = refused(() => env.reset({ seed: bad as number }), 'invalid_request');
      assert.deepEqual(e.issues[0].loc, ['seed']);
      assert.deepEqual(env.state(), before);
    });
  }
  it('unknown task → invalid_task with the original message; non-string task → invalid_request', () => {
    const e = refused(() => new DataSelectEnv().reset({ task: 'extreme' }), 'invalid_task');
    assert.equal(e.message, "Unknown task_id 'extreme'. Valid: ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard', 'breast-cancer', 'iris', 'wine', 'digits']");
    refused(() => new DataSelectEnv().reset({ task: 5 as unknown as string }), 'invalid_request');
    assert.equal(new DataSelectEnv().reset({ task: null }).info.task_id, 'easy');
  });
});

describe('D6: task texts come from the grader rules', () => {
  const obs = (perf: number, remaining: number): Observation => ({
    remaining_budget: remaining,
    diversity_score: 1,
    noise_estimate: 0,
    current_performance: perf,
    samples_available: 1000,
  });
  it('the pass threshold stated in each description is the one the grader applies', () => {
    for (const task of TASKS.values()) {
      if (task.family !== 'classic') continue; // the curation grade is checked in curation.test.ts
      const text = successCriteria(task);
      assert.ok(describeTask(task).includes(text));
      const threshold = Number(/current_performance > ([0-9.]+)/.exec(text)![1]);
      const noiseMatch = /avg noise_ratio < ([0-9.]+)/.exec(text);
      const ratios = noiseMatch ? [Number(noiseMatch[1]) - 0.01] : [];
      const at = grade(task, { task_id: task.id, final_observation: obs(threshold, 0), noise_ratios: ratios });
      const above = grade(task, { task_id: task.id, final_observation: obs(threshold + 1e-9, 0), noise_ratios: ratios });
      assert.equal(at.passed, false, `${task.id} at threshold`);
      assert.equal(above.passed, true, `${task.id} above threshold`);
      if (noiseMatch) {
        const noisy = grade(task, { task_id: task.id, final_observation: obs(0.9, 0), noise_ratios: [Number(noiseMatch[1])] });
        assert.equal(noisy.passed, false);
      }
    }
    assert.match(successCriteria(getTask('easy')!), /0\.62/);
    assert.match(successCriteria(getTask('medium')!), /0\.52.*0\.5/);
  });
  it('grader details: easy unrounded, medium with no selection takes noise 1.0, hard budget_used integer', () => {
    const easy = grade(getTask('easy')!, { task_id: 'easy', final_observation: obs(0.6903796079807804, 150), noise_ratios: [] });
    assert.equal(easy.score, 0.7018980399039016);
    const medium = grade(getTask('medium')!, { task_id: 'medium', final_observation: obs(0.6877621531010043, 150), noise_ratios: [] });
    assert.deepEqual(medium, { task_id: 'medium', score: 0.6, passed: false, breakdown: { performance_score: 1, noise_score: 0, avg_noise_ratio: 1 } });
    const hard = grade(getTask('hard')!, { task_id: 'hard', final_observation: obs(0.6877621531010043, 100), noise_ratios: [] });
    assert.deepEqual(hard, { task_id: 'hard', score: 0.9048, passed: true, breakdown: { performance_score: 0.8535, efficiency_score: 1, budget_used: 0 } });
  });
});
