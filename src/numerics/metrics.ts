/**
 * scikit-learn 1.2.1's binary `log_loss` (eps = 2^−52, both columns clipped, rows renormalised,
 * pairwise mean), the environment's performance score and the entropy used by uncertainty
 * sampling (docs/numerics.md §6, §7).
 */
import { pairwiseSum } from './reductions.ts';

const EPS = 2 ** -52;
const ONE_MINUS_EPS = 1 - EPS;

function clip(p: number): number {
  return p < EPS ? EPS : p > ONE_MINUS_EPS ? ONE_MINUS_EPS : p;
}

/**
 * `log_loss(y, [1 − p1, p1])` over n rows; `scratch` (length ≥ n) receives the per-row losses.
 */
export function logLoss(y: ArrayLike<number>, p1: ArrayLike<number>, n: number, scratch: Float64Array): number {
  for (let i = 0; i < n; i++) {
    const c1 = clip(p1[i]);
    const c0 = clip(1 - p1[i]);
    const s = c0 + c1;
    const q = y[i] === 1 ? c1 / s : c0 / s;
    scratch[i] = -Math.log(q);
  }
  return pairwiseSum(scratch, 0, n) / n;
}

/** The environment's score: `max(0.05, 1 / (1 + log_loss))`. */
export function performanceFromLogLoss(loss: number): number {
  return Math.max(0.05, 1 / (1 + loss));
}

/** Binary entropy as the original computes it: `−(p0·ln(p0 + 1e-12) + p1·ln(p1 + 1e-12))`. */
export function entropy(p1: number): number {
  const p0 = 1 - p1;
  return -(p0 * Math.log(p0 + 1e-12) + p1 * Math.log(p1 + 1e-12));
}
