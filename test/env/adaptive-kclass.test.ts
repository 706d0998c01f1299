/**
 * The built-in `adaptive` policy on the data-set tasks: the K-class rule of docs/datasets.md ("The
 * adaptive rule on K classes"), on hand-made observations (when it flags, when it must not) and on
 * real episodes (it plays only uncertainty then diversity, switches for good, reads only what the
 * observation shows). Its curation behaviour is pinned by the 18 adaptive golden traces
 * (test/env/curation.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEnv } from '../../src/env/make.ts';
import { DATASET_TASK_IDS } from '../../src/env/tasks.ts';
import { ADAPTIVE_K_CLASS, createAdaptivePolicy } from '../../src/policies/builtin.ts';
import type { Action, Observation } from '../../src/env/types.ts';

const U10 = { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 1 } };
const D10 = { action_type: 'select_batch', batch_size: 10, strategy_weights: { diversity: 1 } };

/** A data-set observation whose last selection bought `n` uncertainty rows with these label and predicted shares. */
function obs(step: number, n: number, label: number[], pred: number[]): Observation {
  const stats = { n, disagree: 0.5, expected: 0.5, label_shares: label, pred_shares: pred };
  return {
    remaining_budget: 100,
    samples_available: 500,
    current_performance: 0.5,
    noise_estimate: 0,
    diversity_score: 1,
    validation_accuracy: 0.5,
    step,
    steps_left: 10,
    labelled: 3 + step * n,
    n_classes: label.length,
    class_counts: label.map(() => 1),
    pool_uncertainty: 0.5,
    last_batch: step === 0 ? null : { strategies: { uncertainty: stats }, total: { n, disagree: 0.5, expected: 0.5 } },
  } as unknown as Observation;
}

async function play(observations: Observation[]): Promise<Action[]> {
  const p = createAdaptivePolicy();
  const out: Action[] = [];
  for (const [step, o] of observations.entries()) out.push(await p(o, { task_id: 'iris', seed: 0, step }));
  return out;
}

describe('adaptive on K classes', () => {
  test('the threshold: m ≥ 20 and max_k G_k/m > 3·0.5/√m; then diversity for good', async () => {
    assert.deepEqual(ADAPTIVE_K_CLASS, { z: 3, minPicks: 20 });
    const even = [1 / 3, 1 / 3, 1 / 3];
    // Class 2 bought 0.4 above the prediction per pick: at m = 20 the bound is 1.5/√20 ≈ 0.335.
    const skewed = [0.2, 0.2, 0.6];
    const at = (steps: number[][]) => play([obs(0, 0, even, even), ...steps.map((label, i) => obs(i + 1, 10, label, [0.4, 0.4, 0.2]))]);
    // One batch is never enough (m = 10), however skewed.
    assert.deepEqual(await at([[0, 0, 1]]), [U10, U10]);
    // Two skewed batches: flagged at m = 20; the next action and all later ones are diversity.
    assert.deepEqual(await at([skewed, skewed, even]), [U10, U10, D10, D10]);
    // A gap just under the bound at m = 20 (0.33 < 0.3354) does not flag; the same gap at m = 30 would (0.274).
    const under = [0.4 - 0.165, 0.4 - 0.165, 0.2 + 0.33];
    assert.deepEqual(await at([under, under]), [U10, U10, U10]);
    assert.deepEqual(await at([under, under, under]), [U10, U10, U10, D10]);
    // A deficit alone (a class bought less than predicted) is not the defaulting signature for K > 2 unless another class gains.
    assert.deepEqual(await at([[0.4, 0.4, 0.2], [0.4, 0.4, 0.2], [0.4, 0.4, 0.2]]), [U10, U10, U10, U10]);
    // Binary: the two classes' gaps are opposite, so either direction flags.
    const bin = (label: number[]) => play([obs(0, 0, [0.5, 0.5], [0.5, 0.5]), obs(1, 10, label, [0.5, 0.5]), obs(2, 10, label, [0.5, 0.5])]);
    assert.deepEqual(await bin([0.9, 0.1]), [U10, U10, D10]);
    assert.deepEqual(await bin([0.1, 0.9]), [U10, U10, D10]);
    // Step 0 restarts it (one fresh state per episode).
    const p = createAdaptivePolicy();
    for (const [step, o] of [obs(0, 0, even, even), obs(1, 10, skewed, [0.4, 0.4, 0.2]), obs(2, 10, skewed, [0.4, 0.4, 0.2])].entries()) await p(o, { task_id: 'iris', seed: 0, step });
    assert.deepEqual(await p(obs(0, 0, even, even), { task_id: 'iris', seed: 1, step: 0 }), U10);
  });

  test('on the data-set tasks: uncertainty until the flag, diversity after; it flags on some episodes and not on others', async () => {
    const flaggedOn: string[] = [];
    const neverOn: string[] = [];
    for (const task of DATASET_TASK_IDS.filter((t) => t !== 'digits')) {
      for (let seed = 0; seed < 30; seed++) {
        const env = makeEnv(task);
        const p = createAdaptivePolicy();
        let o = env.reset({ task, seed }).observation;
        const actions: string[] = [];
        for (let t = 0, done = false; !done; t++) {
          const a = await p(o, { task_id: task, seed, step: t });
          actions.push(Object.keys(a.strategy_weights).join());
          const r = env.step(a);
          o = r.observation;
          done = r.done;
        }
        const k = actions.indexOf('diversity');
        if (k < 0) neverOn.push(`${task}/${seed}`);
        else {
          flaggedOn.push(`${task}/${seed}`);
          // Never before two uncertainty batches, and for good once switched.
          assert.ok(k >= 2, `${task}/${seed} switched at step ${k + 1}`);
          assert.ok(actions.slice(k).every((x) => x === 'diversity'), `${task}/${seed}: ${actions.join(' ')}`);
          assert.ok(actions.slice(0, k).every((x) => x === 'uncertainty'));
        }
      }
    }
    assert.ok(flaggedOn.length > 0 && neverOn.length > flaggedOn.length, `flagged ${flaggedOn.length}, never ${neverOn.length}`);
  });
});
