/**
 * Shared pieces of the score-based strategies: the top-`count` selection by a per-candidate
 * score (highest first, ties to the lower index — the samplers' `topK`), per-row top-2
 * probabilities, and squared Euclidean distances as plain sums in column order.
 */
import { topK } from '../samplers.ts';
import { floatScratch } from './scratch.ts';
import type { StrategyContext } from './types.ts';

/** Picks the `count` highest `score[0..n)` not excluded, best first, ties to the lower index. */
export function pickTop(score: Float64Array, n: number, count: number, exclude: Uint8Array, out: Int32Array): number {
  if (count <= 0 || n <= 0) return 0;
  return topK(score, n, Math.min(count, n), exclude, out, floatScratch('strategies.topScore', Math.min(count, n)));
}

/** Scores every candidate with `f(row of proba)` and picks the `count` highest. */
export function pickByProba(
  ctx: StrategyContext,
  count: number,
  exclude: Uint8Array,
  out: Int32Array,
  f: (proba: Float64Array, base: number, K: number) => number,
): number {
  const { n, K, proba } = ctx;
  const score = floatScratch('strategies.score', n);
  for (let i = 0; i < n; i++) score[i] = f(proba, i * K, K);
  return pickTop(score, n, count, exclude, out);
}

/** max_k p and the runner-up of one probability row (a class tied for the top counts twice). */
export function top2(proba: Float64Array, base: number, K: number, out: Float64Array): void {
  let a = -Infinity;
  let b = -Infinity;
  for (let k = 0; k < K; k++) {
    const p = proba[base + k];
    if (p > a) {
      b = a;
      a = p;
    } else if (p > b) {
      b = p;
    }
  }
  out[0] = a;
  out[1] = b;
}

/** Plain sum over j of (A[a + j] − B[b + j])². */
export function sqDist(A: ArrayLike<number>, a: number, B: ArrayLike<number>, b: number, d: number): number {
  let acc = 0;
  for (let j = 0; j < d; j++) {
    const v = A[a + j] - B[b + j];
    acc += v * v;
  }
  return acc;
}

/** Index of the largest probability of a row (ties: the lower class). */
export function argmaxRow(proba: ArrayLike<number>, base: number, K: number): number {
  let best = 0;
  let bp = proba[base];
  for (let k = 1; k < K; k++) {
    if (proba[base + k] > bp) {
      bp = proba[base + k];
      best = k;
    }
  }
  return best;
}
