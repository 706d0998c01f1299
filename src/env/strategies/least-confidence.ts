/**
 * least_confidence: the candidates whose most probable class is least probable.
 *
 * score(x) = 1 − max_k p(k | x); highest first, ties to the lower index.
 *
 * Reference: D. D. Lewis and W. A. Gale, "A sequential algorithm for training text classifiers",
 * SIGIR 1994; B. Settles, "Active Learning Literature Survey", 2009, §3.1 (x*_LC). modAL
 * `uncertainty_sampling` (classifier_uncertainty), libact `UncertaintySampling(method='lc')`.
 */
import { pickByProba } from './score.ts';
import type { StrategyContext } from './types.ts';

export function leastConfidenceScore(proba: Float64Array, base: number, K: number): number {
  let max = proba[base];
  for (let k = 1; k < K; k++) if (proba[base + k] > max) max = proba[base + k];
  return 1 - max;
}

export function leastConfidence(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  return pickByProba(ctx, count, exclude, out, leastConfidenceScore);
}
