/**
 * How an action becomes a batch, for both task families, as pure functions: the environments
 * apply them on every selection, and the web console imports the same code to show a batch's
 * split before it is played. No Node imports and no state (the console bundles this file).
 *
 * - Effective batch (docs/behaviour.md S5, D3; docs/curation.md §4): the requested size raised
 *   to the task's minimum, then cut to the budget left and to the pool.
 * - Classic split (S3, S9): each weight over (Σw + 1e-8), the sum taken in the object's key
 *   order; uncertainty and diversity counts are b·w truncated, random takes the remainder (its
 *   own weight is never read). So {uncertainty: 1} of 10 is 9 / 0 / 1.
 * - Strategy split (curation §4, the data-set family, any strategy of the library): every strategy
 *   but random gets floor(b·w / Σw), no epsilon, Σw summed in `ALL_STRATEGIES` order
 *   ((w_uncertainty + w_diversity) + w_random) + w_least_confidence + … (absent weights are 0,
 *   so with the original three alone Σw is the curation family's own sum, bit for bit); random
 *   takes the remainder (should rounding make the floors exceed b, the strategies latest in run
 *   order give back).
 */
import { ALL_STRATEGIES, LIBRARY_STRATEGIES, RUN_ORDER, type StrategyName } from './strategies/names.ts';
import type { Action, Strategy } from './types.ts';

/** The epsilon of the classic tasks' weight normalisation (it shifts the integer split). */
export const WEIGHT_EPSILON = 1e-8;

export type Weights = Action['strategy_weights'];
export type BatchSplit = Record<Strategy, number>;
export type SplitFamily = 'classic' | 'curation';

/** The original's balanced action: batch 10, weights {uncertainty .4, diversity .4, random .2}. */
export const BALANCED_ACTION: Action = Object.freeze({
  action_type: 'select_batch',
  batch_size: 10,
  strategy_weights: Object.freeze({ uncertainty: 0.4, diversity: 0.4, random: 0.2 }),
}) as Action;

export interface BatchLimits {
  /** The task's smallest batch. */
  minBatch: number;
  /** Budget left. */
  budget: number;
  /** Rows left in the pool. */
  pool: number;
}

/** The batch a selection actually buys: max(requested, minBatch), then at most the budget and the pool. */
export function effectiveBatch(requested: number, limits: BatchLimits): number {
  return Math.min(Math.max(requested, limits.minBatch), limits.budget, limits.pool);
}

/** The classic tasks' split of an effective batch `b` (S3, S9). */
export function classicSplit(b: number, weights: Weights): BatchSplit {
  let total = 0;
  for (const k in weights) total += weights[k as Strategy]!;
  total += WEIGHT_EPSILON;
  const uncertainty = Math.trunc(b * ((weights.uncertainty ?? 0) / total));
  const diversity = Math.trunc(b * ((weights.diversity ?? 0) / total));
  return { uncertainty, diversity, random: Math.max(0, b - uncertainty - diversity) };
}

/** Counts per strategy, keyed by name, for an effective batch `b` and validated weights (curation §4, data sets). */
export function strategySplit(b: number, weights: Readonly<Partial<Record<string, number>>>): Record<StrategyName, number> {
  let tot = 0;
  for (const s of ALL_STRATEGIES) tot += weights[s] ?? 0;
  const counts = {} as Record<StrategyName, number>;
  let rest = b;
  for (const s of RUN_ORDER) {
    if (s === 'random') continue;
    const n = Math.floor((b * (weights[s] ?? 0)) / tot);
    counts[s] = n;
    rest -= n;
  }
  for (let i = RUN_ORDER.length - 2; rest < 0 && i >= 0; i--) {
    const s = RUN_ORDER[i];
    const give = Math.min(counts[s], -rest);
    counts[s] -= give;
    rest += give;
  }
  counts.random = rest;
  return counts;
}

/** The split of a task family's rule; null for a family this module does not know (no guess). */
export function splitBatch(family: string, b: number, weights: Weights): BatchSplit | null {
  if (family === 'classic') return classicSplit(b, weights);
  if (family === 'curation') {
    // What the curation step's info.split says: the original three always, a library strategy when weighted.
    const counts = strategySplit(b, weights);
    const split: BatchSplit & Partial<Record<StrategyName, number>> = { uncertainty: counts.uncertainty, diversity: counts.diversity, random: counts.random };
    for (const s of LIBRARY_STRATEGIES) if ((weights[s] ?? 0) > 0) split[s] = counts[s];
    return split;
  }
  // The data-set family splits every action by the strategy split (the console's hint).
  if (family === 'dataset') return strategySplit(b, weights);
  return null;
}
