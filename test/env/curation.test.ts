import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CurationEnv } from '../../src/env/curation/env.ts';
import { generateCurationData, type CurationData } from '../../src/env/curation/generate.ts';
import { EnvError } from '../../src/env/errors.ts';
import { makeEnv } from '../../src/env/make.ts';
import { CLASSIC_TASK_IDS, CURATION_TASK_IDS, DEFAULT_TASK, TASK_IDS, describeTask, getTask } from '../../src/env/tasks.ts';
import { assertAllReplay, curationTraces, playTwins, replayEdited, withScrambledHidden } from '../helpers.ts';

describe('curation golden traces replayed in process', () => {
  const traces = curationTraces();
  it('finds all 234 curation traces', () => {
    assert.equal(traces.length, 234);
    assert.ok(traces.every((t) => t.trace.family === 'curation'));
  });
  it('every trace matches (observations incl. last_batch, rewards, flags, info, refusals, final state, grade)', () => {
    assertAllReplay(traces, 234);
  });
  it('the comparison can fail: perturbed statistics, flags, refusals and grades are reported', () => {
    const original = traces.find((t) => t.name === 'curation-hard-s7-quirk_invalid')!;
    const perturb = (edit: (t: any) => void) => replayEdited(original, edit);
    assert.match(perturb((t) => (t.steps[1].observation.last_batch.uncertainty.pred_mean += 1e-7)).difference!, /pred_mean/);
    assert.match(perturb((t) => (t.steps[1].terminated = true)).difference!, /terminated/);
    assert.match(perturb((t) => (t.steps[0].accepted = true)).difference!, /refused/);
    assert.match(perturb((t) => (t.grade.breakdown.regime = 'clean')).difference!, /regime/);
    assert.match(perturb((t) => (t.steps[1].info.split.random = 3)).difference!, /split\.random/);
  });
});

describe('curation tasks in the registry', () => {
  it('the classic three unchanged and first, then the curation three, then the data-set tasks; default task easy', () => {
    assert.deepEqual(TASK_IDS.slice(0, 6), ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard']);
    assert.deepEqual(TASK_IDS.slice(6, 10), ['breast-cancer', 'iris', 'wine', 'digits']);
    assert.deepEqual(CLASSIC_TASK_IDS, ['easy', 'medium', 'hard']);
    assert.deepEqual(CURATION_TASK_IDS, ['curation-easy', 'curation-medium', 'curation-hard']);
    assert.equal(DEFAULT_TASK, 'easy');
    const cfg = CURATION_TASK_IDS.map((id) => {
      const t = getTask(id)!;
      assert.equal(t.family, 'curation');
      return t.family === 'curation' ? [t.nSeed, t.budget, t.maxSteps, t.minBatch] : [];
    });
    assert.deepEqual(cfg, [[16, 200, 20, 5], [12, 120, 12, 5], [8, 80, 8, 5]]);
  });
  it('task texts state the real numbers and never name the hidden regime', () => {
    for (const id of CURATION_TASK_IDS) {
      const t = getTask(id)!;
      const text = describeTask(t);
      assert.match(text, new RegExp(`budget=${t.budget}, max_steps=${t.maxSteps}, min_batch=5`));
      assert.doesNotMatch(text, /regime|defaulting|clean-label oracle on (clean|defaulting)/i);
    }
  });
  it('a task id typo is refused with the list of every valid id', () => {
    for (const make of [() => makeEnv('curation-hardd'), () => new CurationEnv().reset({ task: 'curation-hardd' })]) {
      assert.throws(make, (e: unknown) => {
        assert.ok(e instanceof EnvError);
        assert.equal(e.reason, 'invalid_task');
        for (const id of TASK_IDS) assert.ok(e.message.includes(`'${id}'`), e.message);
        return true;
      });
    }
  });
  it('makeEnv picks the family class; each class refuses the other family by name', () => {
    assert.ok(makeEnv('curation-medium') instanceof CurationEnv);
    assert.ok(!(makeEnv('medium') instanceof CurationEnv));
    assert.throws(() => new CurationEnv().reset({ task: 'hard' }), /classic family/);
    assert.throws(() => makeEnv('easy').reset({ task: 'curation-easy' }), /curation family/);
  });
});

const BALANCED = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } };

describe('curation refusals (D5) change nothing', () => {
  const bad: unknown[] = [
    { action_type: 'select_batch', batch_size: 10, strategy_weights: { Uncertainty: 1 } },
    { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: -1 } },
    { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0 } },
    { action_type: 'select_batch', batch_size: '10', strategy_weights: { random: 1 } },
    { action_type: 'select_batch', batch_size: 2.5, strategy_weights: { random: 1 } },
    { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: true } },
    { action_type: 'jump', batch_size: 10, strategy_weights: { random: 1 } },
    { action_type: 'stop', batch_size: 10, strategy_weights: {} },
    null,
  ];
  it('every invalid action is invalid_action with a located issue; state, observation and RNG unchanged', () => {
    const env = new CurationEnv();
    env.reset({ task: 'curation-hard', seed: 3 });
    env.step(BALANCED);
    const obs = env.currentObservation();
    const state = env.state();
    const rng = env.rngFingerprint();
    for (const a of bad) {
      assert.throws(() => env.step(a), (e: unknown) => e instanceof EnvError && e.reason === 'invalid_action' && e.issues.length > 0);
      assert.deepEqual(env.currentObservation(), obs);
      assert.deepEqual(env.state(), state);
      assert.deepEqual(env.rngFingerprint(), rng);
    }
    // The next valid step gives what an uninterrupted episode gives.
    const clean = new CurationEnv();
    clean.reset({ task: 'curation-hard', seed: 3 });
    clean.step(BALANCED);
    assert.deepEqual(env.step(BALANCED), clean.step(BALANCED));
  });
  it('after the end: an invalid action is invalid_action, a valid one episode_over', () => {
    const env = new CurationEnv();
    env.reset({ task: 'curation-hard', seed: 3 });
    const r = env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
    assert.equal(r.reward, 0);
    assert.deepEqual(r.info, {});
    assert.equal(r.terminated && !r.truncated && r.done, true);
    assert.throws(() => env.step(bad[0]), (e: unknown) => e instanceof EnvError && e.reason === 'invalid_action');
    assert.throws(() => env.step(BALANCED), (e: unknown) => e instanceof EnvError && e.reason === 'episode_over');
  });
});

/** A copy of `data` whose hidden part (truth, masks, test set, regime) is scrambled. */
function scrambled(data: CurationData): CurationData {
  const flip = (a: Uint8Array) => a.map((v) => 1 - v);
  return withScrambledHidden(data, (h) => ({
    poolTruth: flip(h.poolTruth),
    poolLowQuality: flip(h.poolLowQuality),
    poolFlipped: flip(h.poolFlipped),
    testY: flip(h.testY),
  }));
}

describe('no observation reads hidden truth', () => {
  const policies: unknown[][] = [
    Array(20).fill(BALANCED),
    Array(20).fill({ action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 1 } }),
    Array(20).fill({ action_type: 'select_batch', batch_size: 13, strategy_weights: { diversity: 2, random: 1 } }),
    [{ action_type: 'select_batch', batch_size: 100000, strategy_weights: { random: 1, uncertainty: 1 } }],
  ];
  for (const seed of [0, 7, 42]) {
    it(`seed ${seed}: scrambling the regime, pool truth, masks and test set after generation changes the grade, not one observation or reward`, () => {
      const data = generateCurationData(seed);
      const hidden = scrambled(data);
      for (const task of CURATION_TASK_IDS) {
        for (const actions of policies) {
          const [ga, gb] = playTwins(new CurationEnv({ dataSource: () => data }), new CurationEnv({ dataSource: () => hidden }), { task, seed }, actions);
          assert.notEqual(gb.breakdown.regime, ga.breakdown.regime);
          assert.notEqual(gb.breakdown.test_accuracy, ga.breakdown.test_accuracy);
        }
      }
    });
  }
  it('the test rows are not in the visible feature matrix', () => {
    const data = generateCurationData(1);
    for (let i = 300 * 20; i < 1300 * 20; i++) assert.ok(Number.isNaN(data.X[i]));
    assert.ok(data.X.subarray(0, 300 * 20).every(Number.isFinite));
    assert.ok(data.X.subarray(1300 * 20).every(Number.isFinite));
  });
});

describe('built-in policies on the curation tasks', () => {
  it('adaptive plays exactly the actions of the 18 adaptive golden traces, from their observations', async () => {
    const { createAdaptivePolicy } = await import('../../src/policies/index.ts');
    const traces = curationTraces().filter((t) => t.trace.policy === 'adaptive');
    assert.equal(traces.length, 18);
    let switched = 0;
    for (const { trace, name } of traces) {
      const policy = createAdaptivePolicy();
      let observation = trace.initial_observation as any;
      trace.steps.forEach((step, i) => {
        const action = policy(observation, { task_id: trace.task_id, seed: trace.seed, step: i });
        assert.deepEqual(action, step.action, `${name} t=${i}`);
        observation = step.observation;
      });
      if (trace.steps.some((s) => 'diversity' in (s.action as any).strategy_weights)) switched++;
    }
    assert.ok(switched > 0 && switched < 18, `the rule switches in some episodes only (${switched})`);
  });
  it('one-batch buys the whole budget in one balanced step', async () => {
    const { BUILTIN_POLICIES } = await import('../../src/policies/index.ts');
    const env = new CurationEnv();
    const { observation } = env.reset({ task: 'curation-medium', seed: 5 });
    const r = env.step(await BUILTIN_POLICIES['one-batch'].policy(observation, { task_id: 'curation-medium', seed: 5, step: 0 }));
    assert.deepEqual(r.info, { batch_size: 120, split: { uncertainty: 48, diversity: 48, random: 24 } });
    assert.equal(r.done && r.terminated, true);
  });
});
