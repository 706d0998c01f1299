/**
 * The caches an environment keeps across the steps of an episode so that coreset and density
 * stay O(n) per step (`StrategyCache` in types.ts), for a pool whose rows never come back once
 * bought: every candidate has a stable pool index (its row in the episode's initial pool).
 *
 * - coreset's `minSqDistToLabelled`: per pool index, the min squared distance to the labelled
 *   rows folded in so far; each newly labelled row is folded in once, over the rows still in the
 *   pool, the first time coreset runs after it (O(n·d) per labelled row). The minimum is exact in
 *   any order, so the values equal coreset's own `minSqDistToLabelled(ctx)`.
 * - density's `meanSimilarity`: each pool row's mean similarity to the episode's initial pool,
 *   computed once per data set (`initialPoolSimilarity`, kept with the data object) — the reference
 *   set density.ts documents for environments.
 */
import { meanSelfSimilarity, pairSimilarity } from './density.ts';
import type { StrategyCache } from './types.ts';

const similarityByData = new WeakMap<object, Float64Array>();

/**
 * Mean similarity of every row of the initial pool (`poolX`: nPool × d, pool-index order) to the
 * whole initial pool, computed once per `key` (e.g. the episode's data object) and kept with it.
 */
export function initialPoolSimilarity(key: object, poolX: ArrayLike<number>, nPool: number, d: number): Float64Array {
  let sim = similarityByData.get(key);
  if (!sim) {
    sim = meanSelfSimilarity(poolX, nPool, d, new Float64Array(nPool));
    similarityByData.set(key, sim);
  }
  return sim;
}

/**
 * The similarity matrix of an initial pool: M[p·N + q] = 1 / (1 + ‖x_p − x_q‖) for pool indices
 * p, q < N (squares summed in column order, the same float as density.ts computes for the pair in
 * either order: (a − b)² = (b − a)²), kept for the last two keys (N² doubles each: 7.6 MB for
 * digits' pool).
 */
const similarityMatrices = new Map<object, Float64Array>();
const MATRICES_KEPT = 2;

export function poolSimilarityMatrix(key: object, poolX: ArrayLike<number>, N: number, d: number): Float64Array {
  const hit = similarityMatrices.get(key);
  if (hit) {
    similarityMatrices.delete(key);
    similarityMatrices.set(key, hit);
    return hit;
  }
  const M = new Float64Array(N * N);
  for (let p = 0; p < N; p++) {
    const a = p * d;
    M[p * N + p] = 1;
    for (let q = p + 1; q < N; q++) {
      const sim = pairSimilarity(poolX, a, poolX, q * d, d);
      M[p * N + q] = sim;
      M[q * N + p] = sim;
    }
  }
  similarityMatrices.set(key, M);
  if (similarityMatrices.size > MATRICES_KEPT) similarityMatrices.delete(similarityMatrices.keys().next().value!);
  return M;
}

/**
 * density's own reference set, the current candidates (density.ts without a cache), from the
 * pool's similarity matrix: out[q] = (Σ_r M[ids[q]][ids[r]] over r = 0…n−1 in order, from 0) / n
 * — the sums `meanSelfSimilarity` forms over the candidates, term for term (its row q receives
 * the pair terms in reference order, the self term 1 in its place), in O(n²) instead of O(n²·d).
 */
export function candidateMeanSimilarity(M: Float64Array, N: number, ids: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
  let q = 0;
  for (; q + 4 <= n; q += 4) {
    const b0 = ids[q] * N;
    const b1 = ids[q + 1] * N;
    const b2 = ids[q + 2] * N;
    const b3 = ids[q + 3] * N;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let r = 0; r < n; r++) {
      const c = ids[r];
      s0 += M[b0 + c];
      s1 += M[b1 + c];
      s2 += M[b2 + c];
      s3 += M[b3 + c];
    }
    out[q] = s0 / n;
    out[q + 1] = s1 / n;
    out[q + 2] = s2 / n;
    out[q + 3] = s3 / n;
  }
  for (; q < n; q++) {
    const b0 = ids[q] * N;
    let s0 = 0;
    for (let r = 0; r < n; r++) s0 += M[b0 + ids[r]];
    out[q] = s0 / n;
  }
  return out;
}

export interface PoolView {
  /** The initial pool's features, nPool × d in pool-index order. */
  poolX: ArrayLike<number>;
  d: number;
  /** Candidates now: ids[q] is candidate q's pool index, q < n. */
  ids: ArrayLike<number>;
  n: number;
  /** The labelled rows' features (m × d, labelled order) as the strategy context has them. */
  labelledX: ArrayLike<number>;
  m: number;
  /** The key density's similarities are kept under (one per data set). */
  dataKey: object;
}

export class PoolStrategyCache {
  private minSq: Float64Array;
  private folded = 0;
  private readonly minSqOut: Float64Array;
  private readonly simOut: Float64Array;

  constructor(nPool: number) {
    this.minSq = new Float64Array(nPool).fill(Infinity);
    this.minSqOut = new Float64Array(nPool);
    this.simOut = new Float64Array(nPool);
  }

  /** A new episode: nothing folded yet. */
  reset(): void {
    this.minSq.fill(Infinity);
    this.folded = 0;
  }

  /** The caches coreset (`withMinSq`) and density (`withSimilarity`) read, for the pool as it is now. */
  fill(view: PoolView, withMinSq: boolean, withSimilarity: boolean): StrategyCache {
    const cache: StrategyCache = {};
    const { poolX, d, ids, n } = view;
    if (withMinSq) {
      const minSq = this.minSq;
      for (let r = this.folded; r < view.m; r++) {
        const c = r * d;
        for (let q = 0; q < n; q++) {
          const id = ids[q];
          const base = id * d;
          let acc = 0;
          for (let j = 0; j < d; j++) {
            const v = poolX[base + j] - view.labelledX[c + j];
            acc += v * v;
          }
          if (acc < minSq[id]) minSq[id] = acc;
        }
      }
      this.folded = view.m;
      for (let q = 0; q < n; q++) this.minSqOut[q] = minSq[ids[q]];
      cache.minSqDistToLabelled = this.minSqOut.subarray(0, n);
    }
    if (withSimilarity) {
      const sim = initialPoolSimilarity(view.dataKey, poolX, this.minSq.length, d);
      for (let q = 0; q < n; q++) this.simOut[q] = sim[ids[q]];
      cache.meanSimilarity = this.simOut.subarray(0, n);
    }
    return cache;
  }
}
