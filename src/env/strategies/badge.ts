/**
 * badge: batch active learning by diverse gradient embeddings (k-means++ seeding).
 *
 * Each candidate's embedding is the gradient of the log loss at its predicted label with respect
 * to the last (here: the only) layer's weights, g(x) = (p(x) − ŷ(x)) ⊗ x, a K·d vector, where ŷ
 * is the one-hot of the most probable class (ties: the lower class). Distances use
 *   ‖g_i − g_j‖² = ‖a_i‖²‖x_i‖² + ‖a_j‖²‖x_j‖² − 2 (a_i·a_j)(x_i·x_j),   a = p − ŷ,
 * O(K + d) per pair instead of O(K·d); values below 1e-12 · (‖g_i‖² + ‖g_j‖²) (rounding of an
 * exact 0) and negative ones count as 0.
 *
 * k-means++ seeding: the centres start as the candidates already chosen for this batch
 * (`exclude`). With no centre, the first pick is the largest ‖g‖² = ‖a‖²‖x‖² (as in the authors'
 * code; values within a relative 1e-12 of the largest — equal up to rounding — tie, and the
 * lower index wins), without a draw. Every further pick draws one `random_sample()` u from the
 * episode's stream and takes the first candidate not excluded whose cumulative D² (D² = squared
 * distance to the nearest centre, plain sum in index order) exceeds u · ΣD²; when ΣD² = 0 it takes
 * the lowest-index candidate left, without a draw. D² is updated incrementally after each pick.
 *
 * Reference: J. T. Ash, C. Zhang, A. Krishnamurthy, J. Langford and A. Agarwal, "Deep batch
 * active learning by diverse, uncertain gradient lower bounds", ICLR 2020; D. Arthur and
 * S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
 */
import { floatScratch } from './scratch.ts';
import { argmaxRow } from './score.ts';
import type { StrategyContext } from './types.ts';

const ZERO_RELATIVE = 1e-12;
/** Norms this close (relative) to the largest are a tie: the same value up to rounding. */
const TIE_RELATIVE = 1e-12;

/** a = p − ŷ (n × K), ‖a‖² and ‖x‖² per candidate. */
export function gradientFactors(ctx: StrategyContext, a: Float64Array, a2: Float64Array, x2: Float64Array): void {
  const { n, K, d, proba, X } = ctx;
  for (let i = 0; i < n; i++) {
    const base = i * K;
    const top = argmaxRow(proba, base, K);
    let s = 0;
    for (let k = 0; k < K; k++) {
      const v = proba[base + k] - (k === top ? 1 : 0);
      a[base + k] = v;
      s += v * v;
    }
    a2[i] = s;
    const xb = i * d;
    let t = 0;
    for (let j = 0; j < d; j++) t += X[xb + j] * X[xb + j];
    x2[i] = t;
  }
}

/** Squared embedding distance between candidates i and c (see the header). */
export function embeddingSqDist(ctx: StrategyContext, a: Float64Array, a2: Float64Array, x2: Float64Array, i: number, c: number): number {
  const { K, d, X } = ctx;
  let ab = 0;
  const ai = i * K;
  const ac = c * K;
  for (let k = 0; k < K; k++) ab += a[ai + k] * a[ac + k];
  let xy = 0;
  const xi = i * d;
  const xc = c * d;
  for (let j = 0; j < d; j++) xy += X[xi + j] * X[xc + j];
  const ni = a2[i] * x2[i];
  const nc = a2[c] * x2[c];
  const v = ni + nc - 2 * (ab * xy);
  return v <= ZERO_RELATIVE * (ni + nc) ? 0 : v;
}

export function badge(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  const { n, K } = ctx;
  if (count <= 0 || n === 0) return 0;
  const a = floatScratch('strategies.badge.a', n * K);
  const a2 = floatScratch('strategies.badge.a2', n);
  const x2 = floatScratch('strategies.badge.x2', n);
  const d2 = floatScratch('strategies.badge.d2', n);
  const taken = floatScratch('strategies.badge.taken', n);
  gradientFactors(ctx, a, a2, x2);
  d2.fill(Infinity, 0, n);
  let centres = 0;
  for (let i = 0; i < n; i++) taken[i] = exclude[i];
  for (let i = 0; i < n; i++) {
    if (exclude[i] !== 0) {
      centres++;
      fold(ctx, a, a2, x2, i, d2, taken);
    }
  }
  let picked = 0;
  while (picked < count) {
    let pick = -1;
    if (centres === 0) {
      // The largest ‖g‖²; candidates within rounding of it (relative 1e-12) tie, lower index first.
      let best = -Infinity;
      for (let i = 0; i < n; i++) if (taken[i] === 0 && a2[i] * x2[i] > best) best = a2[i] * x2[i];
      const floor = best * (1 - TIE_RELATIVE);
      for (let i = 0; i < n; i++) {
        if (taken[i] === 0 && a2[i] * x2[i] >= floor) {
          pick = i;
          break;
        }
      }
    } else {
      let total = 0;
      let first = -1;
      for (let i = 0; i < n; i++) {
        if (taken[i] !== 0) continue;
        if (first < 0) first = i;
        total += d2[i];
      }
      if (first < 0) break;
      if (total > 0) {
        const target = ctx.rng.nextDouble() * total;
        let cum = 0;
        for (let i = 0; i < n; i++) {
          if (taken[i] !== 0 || d2[i] === 0) continue;
          cum += d2[i];
          pick = i;
          if (cum > target) break;
        }
      } else {
        pick = first;
      }
    }
    if (pick < 0) break;
    out[picked++] = pick;
    taken[pick] = 1;
    centres++;
    if (picked < count) fold(ctx, a, a2, x2, pick, d2, taken);
  }
  return picked;
}

function fold(ctx: StrategyContext, a: Float64Array, a2: Float64Array, x2: Float64Array, c: number, d2: Float64Array, taken: Float64Array): void {
  for (let i = 0; i < ctx.n; i++) {
    if (taken[i] !== 0) continue;
    const v = embeddingSqDist(ctx, a, a2, x2, i, c);
    if (v < d2[i]) d2[i] = v;
  }
}
