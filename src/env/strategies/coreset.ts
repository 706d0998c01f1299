/**
 * coreset: k-center greedy (farthest-first traversal) on the scaled features, batch-aware.
 *
 * δ(x) = min over the centres c of ‖x − c‖² (squared Euclidean, plain sums in column order),
 * where the centres start as every labelled row plus the candidates already chosen for this
 * batch (`exclude`). Repeat `count` times: pick the candidate not excluded with the largest δ
 * (ties to the lower index), then lower every δ to its squared distance to the pick when that
 * is smaller (an incremental O(n·d) update per pick). With no centre at all (m = 0 and nothing
 * excluded) δ starts at +∞ for every candidate, so the first pick is candidate 0.
 *
 * `ctx.cache.minSqDistToLabelled`, when given, must hold min over the labelled rows of the
 * squared distance as computed by `minSqDistToLabelled` (an environment can keep it across
 * steps and fold each purchase in with `foldCentre`).
 *
 * Reference: O. Sener and S. Savarese, "Active learning for convolutional neural networks: a
 * core-set approach", ICLR 2018 (Algorithm 1, k-Center-Greedy); T. F. Gonzalez, "Clustering to
 * minimize the maximum intercluster distance", TCS 1985.
 */
import { floatScratch } from './scratch.ts';
import type { StrategyContext } from './types.ts';

/** out[i] = min over labelled rows of ‖X_i − L_r‖² (+∞ when m = 0). */
export function minSqDistToLabelled(ctx: StrategyContext, out: Float64Array): Float64Array {
  const { n, d, m, X, labelledX } = ctx;
  out.fill(Infinity, 0, n);
  for (let r = 0; r < m; r++) foldCentre(X, n, d, labelledX, r * d, out);
  return out;
}

/** Lowers `minSq[0..n)` to each row's squared distance to the centre `C[c..c+d)` where smaller. */
export function foldCentre(X: ArrayLike<number>, n: number, d: number, C: ArrayLike<number>, c: number, minSq: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let acc = 0;
    for (let j = 0; j < d; j++) {
      const v = X[base + j] - C[c + j];
      acc += v * v;
    }
    if (acc < minSq[i]) minSq[i] = acc;
  }
}

export function coreset(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  const { n, d, X } = ctx;
  const delta = floatScratch('strategies.coreset.delta', n);
  const cached = ctx.cache?.minSqDistToLabelled;
  if (cached) delta.set(cached.subarray(0, n));
  else minSqDistToLabelled(ctx, delta);
  for (let i = 0; i < n; i++) if (exclude[i] !== 0) foldCentre(X, n, d, X, i * d, delta);
  // Picks are marked in a private copy of the mask (the caller's is never written).
  const taken = floatScratch('strategies.coreset.taken', n);
  for (let i = 0; i < n; i++) taken[i] = exclude[i];
  let picked = 0;
  while (picked < count) {
    let best = -1;
    let bestD = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i] !== 0) continue;
      if (best < 0 || delta[i] > bestD) {
        best = i;
        bestD = delta[i];
      }
    }
    if (best < 0) break;
    out[picked++] = best;
    taken[best] = 1;
    if (picked < count) foldCentre(X, n, d, X, best * d, delta);
  }
  return picked;
}
