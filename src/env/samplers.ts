/**
 * The three samplers (docs/numerics.md §7) over the current pool, and the selection order (§8).
 *
 * Uncertainty and diversity need only the first n of an ordering "by score descending, ties by
 * ascending pool index" (the reference's argsort, §11 Q10), so they keep a small sorted prefix
 * instead of sorting the whole pool. Random sampling must draw a full permutation of the remaining
 * candidates exactly as numpy's legacy `choice(replace=False)` does, or the stream would diverge.
 */
import { entropy } from '../numerics/metrics.ts';
import { WEIGHT_EPSILON } from './actions.ts';
import type { RandomState } from '../numerics/random-state.ts';
import { rowDistance } from '../numerics/reductions.ts';
import type { SgdLogistic } from '../numerics/sgd.ts';

/** How an action's weights become counts, and how the training centroid follows the batches. */
export const SAMPLING = Object.freeze({
  /** Weights are normalised as w / (Σw + weightEpsilon) (S3; it shifts the integer split). */
  weightEpsilon: WEIGHT_EPSILON,
  /** After each selection: centroid = centroidDecay·centroid + centroidRate·batch mean (S17). */
  centroidDecay: 0.9,
  centroidRate: 0.1,
});

/**
 * Writes into `out` the `k` positions in [0, n) with the highest `score`, excluding positions
 * whose `excluded` flag is set, best first (ties: lower position first). Returns the count taken.
 * `outScore` is scratch of length ≥ k.
 */
export function topK(
  score: Float64Array,
  n: number,
  k: number,
  excluded: Uint8Array,
  out: Int32Array,
  outScore: Float64Array,
): number {
  if (k <= 0) return 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (excluded[i] !== 0) continue;
    const s = score[i];
    if (count === k) {
      // Full: only a strictly better score enters (an equal one has a higher index, so it loses).
      if (!(s > outScore[k - 1])) continue;
      count--;
    }
    // Insert after every entry with score ≥ s (earlier indices win ties).
    let j = count;
    while (j > 0 && outScore[j - 1] < s) {
      outScore[j] = outScore[j - 1];
      out[j] = out[j - 1];
      j--;
    }
    outScore[j] = s;
    out[j] = i;
    count++;
  }
  return count;
}

/**
 * numpy `choice(candidates, k, replace=False)` over the positions in [0, n) that are not
 * excluded (in ascending order). Writes the picks to `out` and returns how many (min(k, m)).
 * Nothing is drawn when no candidate remains.
 */
export function randomPick(
  rng: RandomState,
  n: number,
  k: number,
  excluded: Uint8Array,
  candidates: Int32Array,
  permutationScratch: Int32Array,
  out: Int32Array,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (excluded[i] === 0) candidates[m++] = i;
  if (m === 0 || k <= 0) return 0;
  const take = Math.min(k, m);
  rng.choiceWithoutReplacementInto(candidates, m, take, out, permutationScratch);
  return take;
}

/**
 * Keeps `buf[0..count)` as the k smallest values seen so far, ascending: inserts `v` if there is
 * room or it beats the largest kept. Returns the new count.
 */
function keepSmallest(buf: Float64Array, count: number, k: number, v: number): number {
  if (count === k) {
    if (!(v < buf[k - 1])) return count;
    count--;
  }
  let j = count;
  while (j > 0 && buf[j - 1] > v) {
    buf[j] = buf[j - 1];
    j--;
  }
  buf[j] = v;
  return count + 1;
}

/**
 * The k-th smallest |keys[i]| over the rows of group `g` (i in [0, n), `group[i] === g`);
 * +Infinity when the group has fewer than k rows. `buf` is scratch of length ≥ k.
 */
export function kthSmallestAbs(keys: Float64Array, group: Uint8Array, g: number, n: number, k: number, buf: Float64Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (group[i] === g) count = keepSmallest(buf, count, k, Math.abs(keys[i]));
  return count < k ? Infinity : buf[k - 1];
}

/**
 * The k-th smallest `values[i]` over i in [0, n) with `excluded[i] === 0`; −Infinity when fewer
 * than k rows qualify (so every row passes a "≥ threshold" test). `buf` is scratch of length ≥ k.
 */
export function kthSmallestValue(values: Float64Array, excluded: Uint8Array, n: number, k: number, buf: Float64Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (excluded[i] === 0) count = keepSmallest(buf, count, k, values[i]);
  return count < k ? -Infinity : buf[k - 1];
}

/** The current pool as the samplers see it: position p holds row `live[p]` of `X`. */
export interface PoolView {
  X: Float64Array;
  live: Int32Array;
  size: number;
  nFeatures: number;
  /** 1 for rows whose label was flipped at reset (the hidden noise mask), by row. */
  noisy: Uint8Array;
}

/** Per-position buffers the samplers fill (transient, at least pool-sized). */
export interface SamplerScratch {
  decision: Float64Array;
  negSquaredDistance: Float64Array;
  group: Uint8Array;
  score: Float64Array;
  topScore: Float64Array;
  squares: Float64Array;
  limits: Float64Array;
}

/**
 * One pass over the pool: each position's decision value and noise group, and — when
 * `withSquares` — its negated squared distance to `centroid` (reading each row once for both).
 */
export function scorePool(pool: PoolView, model: SgdLogistic, centroid: Float64Array, withSquares: boolean, s: SamplerScratch): void {
  const { X, live, size: P, nFeatures: F, noisy } = pool;
  const { decision, group, negSquaredDistance: negSq } = s;
  if (!withSquares) {
    for (let p = 0; p < P; p++) {
      const row = live[p];
      decision[p] = model.decision(X, row);
      group[p] = noisy[row];
    }
    return;
  }
  const coef = model.coef;
  const intercept = model.intercept;
  for (let p = 0; p < P; p++) {
    const row = live[p];
    const base = row * F;
    let dot = 0.0;
    let acc = 0;
    for (let j = 0; j < F; j++) {
      const x = X[base + j];
      dot += x * coef[j];
      const d = x - centroid[j];
      acc += d * d;
    }
    decision[p] = dot + intercept;
    negSq[p] = -acc;
    group[p] = noisy[row];
  }
}

/** Negated squared distances to `centroid` for every position (when `scorePool` did not). */
export function squaredDistances(pool: PoolView, centroid: Float64Array, negSq: Float64Array): void {
  const { X, live, size: P, nFeatures: F } = pool;
  for (let p = 0; p < P; p++) {
    const base = live[p] * F;
    let acc = 0;
    for (let j = 0; j < F; j++) {
      const x = X[base + j] - centroid[j];
      acc += x * x;
    }
    negSq[p] = -acc;
  }
}

/** Prefilter bounds: used for n ≤ 64 and away from probability saturation (|d| > 25). */
const PREFILTER_MAX_K = 64;
const PREFILTER_SATURATION = 25;

/**
 * S6–S8, S10a: the n positions of highest entropy, boosted by `boost` on noisy rows (the noise
 * trap), after `scorePool`. Writes them to `out` best first and returns the count.
 *
 * Entropy falls strictly as |decision| grows, so within each group (clean, noisy: one boost each)
 * only rows near the group's n smallest |decision| can rank in the top n; the others skip the
 * exp and the two logs. The margins (relative 1e-6, absolute 1e-6) exceed floating-point noise in
 * the entropy by orders of magnitude; near saturation the whole group is scored exactly.
 */
export function pickUncertainty(P: number, n: number, boost: number, excluded: Uint8Array, s: SamplerScratch, out: Int32Array): number {
  const { decision, group, limits, score } = s;
  for (let g = 0; g < 2; g++) {
    const t = n <= PREFILTER_MAX_K ? kthSmallestAbs(decision, group, g, P, n, s.topScore) : Infinity;
    const limit = t * (1 + 1e-6) + 1e-6;
    limits[g] = limit > PREFILTER_SATURATION ? Infinity : limit;
  }
  for (let p = 0; p < P; p++) {
    const d = decision[p];
    if (Math.abs(d) > limits[group[p]]) {
      score[p] = -Infinity;
      continue;
    }
    score[p] = entropy(1 / (1 + Math.exp(-d))) + group[p] * boost;
  }
  return topK(score, P, n, excluded, out, s.topScore);
}

/**
 * S10b: the n positions not yet excluded that lie farthest from `centroid` (numpy's pairwise
 * norm), given the negated plain squared distances. A plain sum of squares ranks rows to within
 * ~1e-15 relative of the pairwise norm, so only rows within 1e-9 of the n-th largest get the
 * exact distance.
 */
export function pickDiversity(pool: PoolView, centroid: Float64Array, n: number, excluded: Uint8Array, s: SamplerScratch, out: Int32Array): number {
  const { X, live, size: P, nFeatures: F } = pool;
  const negSq = s.negSquaredDistance;
  const kth = kthSmallestValue(negSq, excluded, P, n, s.topScore);
  const floor = kth === -Infinity ? -Infinity : -kth * (1 - 1e-9);
  for (let p = 0; p < P; p++) {
    s.score[p] = excluded[p] === 0 && -negSq[p] >= floor ? rowDistance(X, live[p] * F, centroid, F, s.squares) : -Infinity;
  }
  return topK(s.score, P, n, excluded, out, s.topScore);
}
