/**
 * uncertainty: the curation family's own uncertainty sampler (docs/curation.md), kept with its
 * meaning for binary tasks.
 *
 * K = 2: score(x) = −|p(1 | x) − 0.5| (the smallest distance to the decision boundary); K > 2:
 * score(x) = −(p₁ − p₂), the margin (for K = 2 the margin is |2p − 1|, the same order).
 * Highest first, ties to the lower index. Bit-identical to CurationEnv's uncertainty picks.
 *
 * Reference: Lewis and Gale 1994 (uncertainty sampling); Settles 2009 §3.1.
 */
import { marginScore } from './margin.ts';
import { pickByProba } from './score.ts';
import type { StrategyContext } from './types.ts';

export function uncertaintyScore(proba: Float64Array, base: number, K: number): number {
  // Negation is exact, so ties stay ties.
  return K === 2 ? -Math.abs(proba[base + 1] - 0.5) : marginScore(proba, base, K);
}

export function uncertainty(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  return pickByProba(ctx, count, exclude, out, uncertaintyScore);
}
