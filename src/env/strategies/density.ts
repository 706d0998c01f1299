/**
 * density: information density — uncertainty weighted by representativeness.
 *
 * score(x) = (1 − max_k p(k | x)) · sim(x)^β with β = 1, where sim(x) is the mean over a
 * reference set R of 1 / (1 + ‖x − x'‖) (Euclidean distance, the square root of a plain sum of
 * squares in column order; the mean is a plain sum over R in order, divided by |R|, x itself
 * included). Highest first, ties to the lower index.
 *
 * R is the candidates given (all n, excluded or not) unless `ctx.cache.meanSimilarity` supplies
 * sim for each candidate; the curation environment passes sim over the episode's initial pool,
 * computed once per episode seed, as libact computes its density once over the whole unlabelled
 * pool (this keeps a step O(n) instead of O(n²·d)).
 *
 * Reference: B. Settles and M. Craven, "An analysis of active learning strategies for sequence
 * labeling tasks", EMNLP 2008 (information density, eq. for x*_ID with β); modAL
 * `modAL.density.information_density(X, metric='euclidean')` (similarity 1 / (1 + d)); libact
 * `DensityWeightedMeta`.
 */
import { leastConfidenceScore } from './least-confidence.ts';
import { floatScratch } from './scratch.ts';
import { pickTop } from './score.ts';
import type { StrategyContext } from './types.ts';

export const DENSITY_BETA = 1;

/** 1 / (1 + ‖X_a − Y_b‖) for the d features at offsets a and b (plain sum of squares in column order). */
export function pairSimilarity(X: ArrayLike<number>, a: number, Y: ArrayLike<number>, b: number, d: number): number {
  let acc = 0;
  for (let j = 0; j < d; j++) {
    const v = X[a + j] - Y[b + j];
    acc += v * v;
  }
  return 1 / (1 + Math.sqrt(acc));
}

/** out[i] = mean over rows r of R (nR × d) of 1 / (1 + ‖X_i − R_r‖). */
export function meanSimilarity(X: ArrayLike<number>, n: number, R: ArrayLike<number>, nR: number, d: number, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const a = i * d;
    let s = 0;
    for (let r = 0; r < nR; r++) s += pairSimilarity(X, a, R, r * d, d);
    out[i] = s / nR;
  }
  return out;
}

/**
 * `meanSimilarity(X, n, X, n, d, out)` with half the distances: each pair's similarity is
 * computed once (‖a − b‖ and ‖b − a‖ are the same float) and added to both rows; row j still
 * receives its terms in reference order 0, 1, …, n − 1, so every sum is bit-identical.
 */
export function meanSelfSimilarity(X: ArrayLike<number>, n: number, d: number, out: Float64Array): Float64Array {
  out.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    const a = i * d;
    // Terms r < i arrived from the earlier rows; then the self term (distance 0) and r > i.
    out[i] += 1;
    for (let r = i + 1; r < n; r++) {
      const sim = pairSimilarity(X, a, X, r * d, d);
      out[i] += sim;
      out[r] += sim;
    }
    out[i] = out[i] / n;
  }
  return out;
}

export function density(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  const { n, K, d, X, proba } = ctx;
  const sim = ctx.cache?.meanSimilarity ?? meanSelfSimilarity(X, n, d, floatScratch('strategies.density.sim', n));
  const score = floatScratch('strategies.score', n);
  for (let i = 0; i < n; i++) {
    const s = sim[i];
    score[i] = leastConfidenceScore(proba, i * K, K) * (DENSITY_BETA === 1 ? s : Math.pow(s, DENSITY_BETA));
  }
  return pickTop(score, n, count, exclude, out);
}
