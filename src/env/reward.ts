/**
 * The reward (docs/numerics.md §7, D1), term by term, in the original's order of operations:
 *
 *   gain    = (new − old)·5 + mean‖Xb_i − c‖·0.05        (× 0.5 if redundancy > 0.8, × 0.7 if new > 0.85)
 *   reward  = (((gain − 0.01·b) − 0.3·redundancy) − (1 + 2·flip_y)·noise_ratio) + 0.15
 *   stop    = 0.05·budget if performance ≥ stop_threshold, else −1
 *
 * The signed terms `gain + budget_cost + redundancy_penalty + noise_penalty + step_bonus`, added in
 * that order, give exactly the original's reward (a − x equals a + (−x) in IEEE arithmetic).
 */
import { pairwiseSum, rowDistance, rowNorm, vectorNorm } from '../numerics/reductions.ts';
import type { SelectionTerms } from './types.ts';

/** Reward constants, named so the formula can be audited. */
export const REWARD = Object.freeze({
  performanceGainScale: 5.0,
  diversityBonusScale: 0.05,
  redundancyThreshold: 0.8,
  redundancyGainMultiplier: 0.5,
  highPerformanceThreshold: 0.85,
  highPerformanceGainMultiplier: 0.7,
  budgetCostPerSample: 0.01,
  redundancyPenaltyScale: 0.3,
  stepBonus: 0.15,
  stopBonusPerBudgetUnit: 0.05,
  stopPenalty: -1.0,
  /** Added to the centroid's and each row's norm in the redundancy (cosine) term. */
  normEpsilon: 1e-12,
});

/** The noise-trap entropy boost added to noisy pool rows: `min(0.1 + flip_y·2, 0.55)`. */
export function noiseTrapBoost(flipY: number): number {
  return Math.min(0.1 + flipY * 2.0, 0.55);
}

/** The noise penalty scale: `1 + flip_y·2`. */
export function noisePenaltyScale(flipY: number): number {
  return 1.0 + flipY * 2.0;
}

export interface BatchGeometry {
  /** Mean distance of the batch rows to the centroid (numpy's pairwise mean of row norms). */
  meanDistance: number;
  /** `(mean cosine of the batch rows with the centroid + 1) / 2`. */
  redundancy: number;
}

/**
 * Distance and redundancy of a batch (rows `rows[0..n)` of the row-major `X`) against the centroid
 * `c` from before the step. `values` (≥ n), `squares` and `unit` (≥ F) are scratch.
 */
export function batchGeometry(
  X: Float64Array,
  rows: Int32Array,
  n: number,
  c: Float64Array,
  F: number,
  scratch: { values: Float64Array; squares: Float64Array; unit: Float64Array },
): BatchGeometry {
  const { values, squares, unit } = scratch;
  for (let r = 0; r < n; r++) values[r] = rowDistance(X, rows[r] * F, c, F, squares);
  const meanDistance = pairwiseSum(values, 0, n) / n;

  const centroidNorm = vectorNorm(c, F) + REWARD.normEpsilon;
  for (let j = 0; j < F; j++) unit[j] = c[j] / centroidNorm;
  for (let r = 0; r < n; r++) {
    const base = rows[r] * F;
    const norm = rowNorm(X, base, F, squares) + REWARD.normEpsilon;
    let cos = 0.0;
    for (let j = 0; j < F; j++) cos += (X[base + j] / norm) * unit[j];
    values[r] = cos;
  }
  const redundancy = (pairwiseSum(values, 0, n) / n + 1) / 2;
  return { meanDistance, redundancy };
}

/** The named terms of a selection's reward. */
export function selectionTerms(args: {
  oldPerformance: number;
  newPerformance: number;
  geometry: BatchGeometry;
  effectiveBatch: number;
  noiseRatio: number;
  flipY: number;
}): SelectionTerms {
  const performanceGain = (args.newPerformance - args.oldPerformance) * REWARD.performanceGainScale;
  const diversityBonus = args.geometry.meanDistance * REWARD.diversityBonusScale;
  let gain = performanceGain + diversityBonus;
  let gainMultiplier = 1;
  if (args.geometry.redundancy > REWARD.redundancyThreshold) {
    gain = gain * REWARD.redundancyGainMultiplier;
    gainMultiplier *= REWARD.redundancyGainMultiplier;
  }
  if (args.newPerformance > REWARD.highPerformanceThreshold) {
    gain = gain * REWARD.highPerformanceGainMultiplier;
    gainMultiplier *= REWARD.highPerformanceGainMultiplier;
  }
  return {
    performance_gain: performanceGain,
    diversity_bonus: diversityBonus,
    gain_multiplier: gainMultiplier,
    gain,
    budget_cost: -(REWARD.budgetCostPerSample * args.effectiveBatch),
    redundancy_penalty: -(REWARD.redundancyPenaltyScale * args.geometry.redundancy),
    noise_penalty: -(noisePenaltyScale(args.flipY) * args.noiseRatio),
    step_bonus: REWARD.stepBonus,
  };
}

/** The reward from its terms, summed in the original's order. */
export function selectionReward(t: SelectionTerms): number {
  return t.gain + t.budget_cost + t.redundancy_penalty + t.noise_penalty + t.step_bonus;
}

/** D1: a stop pays for the unspent budget if the model is good enough, else costs 1. */
export function stopReward(performance: number, stopThreshold: number, budget: number): number {
  return performance >= stopThreshold ? REWARD.stopBonusPerBudgetUnit * budget : REWARD.stopPenalty;
}
