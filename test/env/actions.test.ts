/**
 * The batch rules of src/env/actions.ts (the pure module the environments and the web console
 * share), held against the reference's own numbers: every accepted selection of every bundled
 * golden trace — the classic ones record the reference's effective batch and n_u / n_d / n_r,
 * the curation ones the effective batch and split of each step's info.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BALANCED_ACTION, classicSplit, effectiveBatch, splitBatch, strategySplit, type Weights } from '../../src/env/actions.ts';
import { CurationEnv } from '../../src/env/curation/env.ts';
import { openFamily } from '../../src/fixtures/bundle.ts';

interface TraceObs {
  remaining_budget: number;
  samples_available: number;
}
interface TraceStep {
  action: { action_type: string; batch_size: number; strategy_weights: Weights };
  accepted: boolean;
  observation?: TraceObs;
  info?: { batch_size?: number; split?: Record<string, number> };
  derived?: { pool_size_before: number; batch: { requested: number; effective: number; n_u: number; n_d: number; n_r: number } };
}
interface Trace {
  cfg: { min_batch: number };
  initial_observation: TraceObs;
  steps: TraceStep[];
}

/** Every accepted selection of a family's traces, with the limits it was played under. */
function selections(family: 'classic' | 'curation') {
  const files = openFamily(family);
  const out: { where: string; minBatch: number; budget: number; pool: number; step: TraceStep }[] = [];
  for (const file of files.list('traces/')) {
    if (!file.endsWith('.json')) continue;
    const trace = files.json<Trace>(file);
    let now = trace.initial_observation;
    trace.steps.forEach((step, i) => {
      if (!step.accepted) return;
      if (step.action.action_type === 'select_batch') {
        out.push({ where: `${file} step ${i}`, minBatch: trace.cfg.min_batch, budget: now.remaining_budget, pool: now.samples_available, step });
      }
      if (step.observation) now = step.observation;
    });
  }
  return out;
}

describe('batch rules (src/env/actions.ts)', () => {
  test('the documented examples', () => {
    const w = BALANCED_ACTION.strategy_weights;
    assert.deepEqual(classicSplit(10, w), { uncertainty: 3, diversity: 3, random: 4 });
    assert.deepEqual(splitBatch('curation', 10, w), { uncertainty: 4, diversity: 4, random: 2 });
    // The classic epsilon leaves one random row even for a single strategy.
    assert.deepEqual(classicSplit(10, { uncertainty: 1 }), { uncertainty: 9, diversity: 0, random: 1 });
    assert.deepEqual(splitBatch('curation', 10, { uncertainty: 1 }), { uncertainty: 10, diversity: 0, random: 0 });
    assert.equal(effectiveBatch(3, { minBatch: 5, budget: 100, pool: 1000 }), 5);
    assert.equal(effectiveBatch(50, { minBatch: 5, budget: 20, pool: 1000 }), 20);
    assert.equal(effectiveBatch(3, { minBatch: 5, budget: 4, pool: 1000 }), 4);
    assert.equal(effectiveBatch(50, { minBatch: 5, budget: 100, pool: 7 }), 7);
    assert.equal(splitBatch('some-other-family', 10, w), null);
  });

  test('classic: effective batch and n_u / n_d / n_r of every accepted selection in the golden traces', () => {
    const all = selections('classic');
    assert.ok(all.length > 2000, `${all.length} selections`);
    for (const { where, minBatch, budget, step } of all) {
      const d = step.derived!;
      const b = effectiveBatch(step.action.batch_size, { minBatch, budget, pool: d.pool_size_before });
      assert.equal(b, d.batch.effective, where);
      assert.deepEqual(splitBatch('classic', b, step.action.strategy_weights), { uncertainty: d.batch.n_u, diversity: d.batch.n_d, random: d.batch.n_r }, where);
    }
  });

  test('curation: effective batch and split of every accepted selection in the golden traces', () => {
    const all = selections('curation');
    assert.ok(all.length > 2000, `${all.length} selections`);
    for (const { where, minBatch, budget, pool, step } of all) {
      const b = effectiveBatch(step.action.batch_size, { minBatch, budget, pool });
      assert.equal(b, step.info!.batch_size, where);
      assert.deepEqual(splitBatch('curation', b, step.action.strategy_weights), step.info!.split, where);
    }
  });

  test('every split buys exactly the batch, no count negative', () => {
    const weight = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), weight, weight, weight, (b, u, d, r) => {
        fc.pre(u + d + r > 0);
        for (const split of [classicSplit(b, { uncertainty: u, diversity: d, random: r }), splitBatch('curation', b, { uncertainty: u, diversity: d, random: r })!]) {
          assert.equal(split.uncertainty + split.diversity + split.random, b);
          assert.ok(split.uncertainty >= 0 && split.diversity >= 0 && split.random >= 0);
        }
      }),
    );
  });
});

describe('the curation preview is the step', () => {
  test('with library strategies weighted, splitBatch names them with the counts the step buys (info.split)', () => {
    const env = new CurationEnv();
    const mixes: Weights[] = [{ margin: 1, random: 1 }, { uncertainty: 2, coreset: 1, badge: 1 }, { entropy: 0.3, diversity: 0.7 }];
    let checked = 0;
    for (const [i, w] of mixes.entries()) {
      env.reset({ task: 'curation-hard', seed: 3 + i });
      for (let k = 0; k < 3 && !env.done; k++) {
        const obs = env.currentObservation()!;
        const b = effectiveBatch(7, { minBatch: 5, budget: obs.remaining_budget, pool: obs.samples_available });
        const r = env.step({ action_type: 'select_batch', batch_size: 7, strategy_weights: w });
        assert.deepEqual(splitBatch('curation', b, w), (r.info as { split: unknown }).split);
        checked++;
      }
    }
    assert.equal(checked, 9);
  });
});

describe("a task family's split, as the console shows it", () => {
  test('classic → the classic rule; curation → the strategy split (the three always, a weighted library strategy); data-set → the strategy split', () => {
    const three = { uncertainty: 0.4, diversity: 0.4, random: 0.2 };
    assert.deepEqual(splitBatch('classic', 10, three), classicSplit(10, three));
    const mix = { margin: 1, coreset: 1, random: 0.5 };
    assert.deepEqual(splitBatch('dataset', 10, mix), strategySplit(10, mix));
    assert.deepEqual(
      Object.fromEntries(Object.entries(splitBatch('dataset', 10, mix)!).filter(([, n]) => n > 0)),
      { margin: 4, coreset: 4, random: 2 },
    );
    assert.equal(splitBatch('unknown', 10, three), null);
  });
});
