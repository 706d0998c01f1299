/**
 * margin: the candidates whose two most probable classes are closest.
 *
 * score(x) = −(p₁ − p₂) with p₁ ≥ p₂ the two largest class probabilities (a class tied for the
 * top counts twice, so the margin is 0); highest score (smallest margin) first, ties to the
 * lower index.
 *
 * Reference: T. Scheffer, C. Decomain and S. Wrobel, "Active hidden Markov models for
 * information extraction", IDA 2001; Settles 2009 §3.1 (x*_M). modAL `margin_sampling`,
 * libact `UncertaintySampling(method='sm')`.
 */
import { pickByProba, top2 } from './score.ts';
import type { StrategyContext } from './types.ts';

const pair = new Float64Array(2);

export function marginScore(proba: Float64Array, base: number, K: number): number {
  top2(proba, base, K, pair);
  return -(pair[0] - pair[1]);
}

export function margin(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  return pickByProba(ctx, count, exclude, out, marginScore);
}
