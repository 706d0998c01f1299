/**
 * Multinomial logistic regression (softmax) trained by plain SGD, the multiclass counterpart of
 * `SgdLogistic` with the curation family's recipe (docs/curation.md): a fit starts from zero
 * weights and runs `epochs` passes over the labelled rows, each pass in the classic visiting
 * order (`sgdVisitingOrder(n)`, scikit-learn's fixed-seed shuffle: it depends only on n and draws
 * nothing from the episode's stream), constant learning rate η₀, L2 penalty α through a weight
 * scale restarted at 1 every pass (as `SgdLogistic.partialFit`), intercepts unpenalised.
 *
 * Per row x with label y: z_k = s·(W_k · x) + b_k, p = softmax(z) (max subtracted first, plain
 * sums in class order); s ← s·(1 − η₀α); W_k ← W_k − (η₀ (p_k − [y = k]) / s) · x;
 * b_k ← b_k − η₀ (p_k − [y = k]). The loss it descends is the mean cross-entropy
 * −ln p_y + (α/2)‖W‖².
 *
 * K = 2: the two weight rows stay opposite (W₁ = −W₀, b₁ = −b₀) and p₁ = σ((W₁ − W₀)·x + b₁ − b₀),
 * so the difference follows exactly binary logistic SGD with learning rate 2η₀ and the same decay
 * factor (1 − η₀α), i.e. `SgdLogistic` with η₀' = 2η₀ and α' = α/2 — in exact arithmetic (the
 * test checks it to rounding). With the same η₀ and α the two models differ.
 */
import type { ProbabilisticModel } from './model.ts';
import { sgdVisitingOrder } from './sgd.ts';

export interface SoftmaxSgdOptions {
  eta0: number;
  epochs: number;
  /** L2 penalty (default 1e-4, as SgdLogistic). */
  alpha?: number;
}

export const SOFTMAX_ALPHA = 0.0001;

export class SoftmaxSgd implements ProbabilisticModel {
  readonly nFeatures: number;
  readonly nClasses: number;
  readonly eta0: number;
  readonly epochs: number;
  readonly alpha: number;
  /** K × d weights, row-major. */
  readonly coef: Float64Array;
  /** K intercepts. */
  readonly intercept: Float64Array;
  private readonly w: Float64Array;
  private readonly z: Float64Array;

  constructor(nFeatures: number, nClasses: number, options: SoftmaxSgdOptions) {
    if (!(nClasses >= 2)) throw new RangeError(`SoftmaxSgd needs at least 2 classes (got ${nClasses})`);
    this.nFeatures = nFeatures;
    this.nClasses = nClasses;
    this.eta0 = options.eta0;
    this.epochs = options.epochs;
    this.alpha = options.alpha ?? SOFTMAX_ALPHA;
    this.coef = new Float64Array(nClasses * nFeatures);
    this.intercept = new Float64Array(nClasses);
    this.w = new Float64Array(nClasses * nFeatures);
    this.z = new Float64Array(nClasses);
  }

  resetParameters(): void {
    this.coef.fill(0);
    this.intercept.fill(0);
  }

  fit(X: ArrayLike<number>, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number): void {
    this.resetParameters();
    for (let e = 0; e < this.epochs; e++) this.partialFit(X, rows, labels, n);
  }

  /** One pass over rows `rows[0..n)` of X in the classic visiting order. */
  partialFit(X: ArrayLike<number>, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number): void {
    if (n === 0) return;
    const F = this.nFeatures;
    const K = this.nClasses;
    const w = this.w;
    const b = this.intercept;
    const z = this.z;
    const eta0 = this.eta0;
    const decay = 1.0 - eta0 * this.alpha;
    w.set(this.coef);
    let wscale = 1.0;
    const order = sgdVisitingOrder(n);
    for (let t = 0; t < n; t++) {
      const r = order[t];
      const base = rows[r] * F;
      const y = labels[r];
      let zmax = -Infinity;
      for (let k = 0; k < K; k++) {
        const wb = k * F;
        let dot = 0.0;
        for (let j = 0; j < F; j++) dot += w[wb + j] * X[base + j];
        const v = dot * wscale + b[k];
        z[k] = v;
        if (v > zmax) zmax = v;
      }
      let sum = 0.0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(z[k] - zmax);
        z[k] = e;
        sum += e;
      }
      wscale *= decay;
      if (wscale < 1e-9) {
        for (let i = 0; i < K * F; i++) w[i] *= wscale;
        wscale = 1.0;
      }
      for (let k = 0; k < K; k++) {
        const g = z[k] / sum - (k === y ? 1.0 : 0.0);
        if (g === 0.0) continue;
        const update = -eta0 * g;
        const c = update / wscale;
        const wb = k * F;
        for (let j = 0; j < F; j++) w[wb + j] += X[base + j] * c;
        b[k] += update;
      }
    }
    for (let i = 0; i < K * F; i++) this.coef[i] = w[i] * wscale;
  }

  /** Decision values z_k = W_k · x + b_k of row `row` into out[o..o+K). */
  decisionInto(X: ArrayLike<number>, row: number, out: Float64Array, o: number): void {
    const F = this.nFeatures;
    const base = row * F;
    for (let k = 0; k < this.nClasses; k++) {
      const wb = k * F;
      let s = 0.0;
      for (let j = 0; j < F; j++) s += X[base + j] * this.coef[wb + j];
      out[o + k] = s + this.intercept[k];
    }
  }

  predictProbaInto(X: ArrayLike<number>, rows: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
    const K = this.nClasses;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      this.decisionInto(X, rows[i], out, o);
      let zmax = -Infinity;
      for (let k = 0; k < K; k++) if (out[o + k] > zmax) zmax = out[o + k];
      let sum = 0.0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(out[o + k] - zmax);
        out[o + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[o + k] = out[o + k] / sum;
    }
    return out;
  }
}
