/**
 * entropy: the candidates whose predicted class distribution has the highest Shannon entropy.
 *
 * score(x) = −Σ_k p_k · ln p_k, summed over k in class order, with 0 · ln 0 = 0; highest first,
 * ties to the lower index.
 *
 * Reference: C. E. Shannon 1948; Settles 2009 §3.1 (x*_H). modAL `entropy_sampling`, libact
 * `UncertaintySampling(method='entropy')`.
 */
import { pickByProba } from './score.ts';
import type { StrategyContext } from './types.ts';

export function entropyScore(proba: Float64Array, base: number, K: number): number {
  let h = 0;
  for (let k = 0; k < K; k++) {
    const p = proba[base + k];
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

export function entropySampling(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  return pickByProba(ctx, count, exclude, out, entropyScore);
}
