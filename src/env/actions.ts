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
 * - Curation split (§4): floor(b·w / Σw) for uncertainty and diversity (Σw summed
 *   uncertainty + diversity + random, no epsilon), random the remainder.
 */
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

/** The curation family's split of an effective batch `b` (§4). */
export function curationSplit(b: number, weights: Weights): BatchSplit {
  const wu = weights.uncertainty ?? 0;
  const wd = weights.diversity ?? 0;
  const tot = wu + wd + (weights.random ?? 0);
  const uncertainty = Math.floor((b * wu) / tot);
  const diversity = Math.floor((b * wd) / tot);
  return { uncertainty, diversity, random: b - uncertainty - diversity };
}

/** The split of a task family's rule; null for a family this module does not know (no guess). */
export function splitBatch(family: string, b: number, weights: Weights): BatchSplit | null {
  if (family === 'classic') return classicSplit(b, weights);
  if (family === 'curation') return curationSplit(b, weights);
  return null;
}
