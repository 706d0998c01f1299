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
import { sgdVisitingOrder, usableKernel } from './sgd.ts';
import { MAX_PAIRS, type SgdKernel } from './sgd-kernel.ts';

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

  /**
   * From zero weights, `epochs` passes. With `immutableX` (X never changes, e.g. an episode's
   * data) or X staged for the running call, the WebAssembly kernel (sgd-kernel.ts) runs the same
   * operations on its copy of X.
   */
  fit(X: ArrayLike<number>, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number, immutableX = false): void {
    this.resetParameters();
    const k = n > 0 && this.epochs > 0 ? this.kernelFor(X, immutableX) : null;
    if (!k) {
      for (let e = 0; e < this.epochs; e++) this.partialFit(X, rows, labels, n);
      return;
    }
    const F = this.nFeatures;
    const K = this.nClasses;
    const P = (K + 1) >> 1;
    const x = k.matrix(X as Float64Array);
    const rp = k.int32s('softmax.rows', rows, n);
    const lp = k.int32s('softmax.labels', labels, n);
    const op = k.int32s('softmax.order', sgdVisitingOrder(n), n);
    const wt = k.scratch('softmax.wt', F * P * 16);
    const b = k.scratch('softmax.b', P * 16);
    const zb = k.scratch('softmax.z', P * 16);
    const cb = k.scratch('softmax.c', P * 16);
    const mb = k.scratch('softmax.m', P * 16);
    k.raw[`fitSoftmax${P}`](x, rp, lp, op, n, F, K, this.epochs, this.eta0, 1.0 - this.eta0 * this.alpha, wt, b, zb, cb, mb);
    const f = k.f64;
    const w0 = wt >> 3;
    const Kp = 2 * P;
    for (let c = 0; c < K; c++) {
      for (let j = 0; j < F; j++) this.coef[c * F + j] = f[w0 + j * Kp + c];
      this.intercept[c] = f[(b >> 3) + c];
    }
  }

  private kernelFor(X: ArrayLike<number>, immutableX: boolean): SgdKernel | null {
    return X instanceof Float64Array && this.nClasses <= 2 * MAX_PAIRS ? usableKernel(X, immutableX) : null;
  }

  /** The weights feature-major with the intercepts, in the kernel's scratch (for its predictions). */
  private uploadWeights(k: SgdKernel): { wt: number; b: number; P: number } {
    const F = this.nFeatures;
    const K = this.nClasses;
    const P = (K + 1) >> 1;
    const Kp = 2 * P;
    const wt = k.scratch('softmax.pwt', F * P * 16);
    const b = k.scratch('softmax.pb', P * 16);
    const f = k.f64;
    const w0 = wt >> 3;
    for (let j = 0; j < F; j++) {
      for (let c = 0; c < K; c++) f[w0 + j * Kp + c] = this.coef[c * F + j];
      if (K < Kp) f[w0 + j * Kp + K] = 0;
    }
    for (let c = 0; c < Kp; c++) f[(b >> 3) + c] = c < K ? this.intercept[c] : 0;
    return { wt, b, P };
  }

  /**
   * How many of rows 0…n−1 of X have argmax_k p_k (ties: the lower class) equal to labels[i],
   * p as `predictProbaInto` computes it (the kernel skips the exps where the top class is clear,
   * see sgd-kernel.ts); `immutableX` as in `fit`.
   */
  countCorrect(X: Float64Array, labels: Uint8Array, n: number, immutableX = false): number {
    const K = this.nClasses;
    const k = n > 0 ? this.kernelFor(X, immutableX) : null;
    if (!k) {
      const rows = Int32Array.from({ length: n }, (_, i) => i);
      const p = this.predictProbaInto(X, rows, n, new Float64Array(n * K));
      let correct = 0;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < K; c++) if (p[i * K + c] > p[i * K + best]) best = c;
        if (best === labels[i]) correct++;
      }
      return correct;
    }
    const x = k.matrix(X);
    const { wt, b, P } = this.uploadWeights(k);
    const lp = k.scratch('softmax.testLabels', n);
    k.u8.set(labels.subarray(0, n), lp);
    const zb = k.scratch('softmax.z', P * 16);
    return k.raw[`predictSoftmax${P}`](x, k.identity(n), 0, n, this.nFeatures, K, wt, b, 0, 1, lp, zb);
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

  predictProbaInto(X: ArrayLike<number>, rows: ArrayLike<number>, n: number, out: Float64Array, immutableX = false): Float64Array {
    const K = this.nClasses;
    const k = n > 0 ? this.kernelFor(X, immutableX) : null;
    if (k) {
      const x = k.matrix(X as Float64Array);
      const ip = k.int32s('softmax.idx', rows, n);
      const { wt, b, P } = this.uploadWeights(k);
      const o = k.scratch('softmax.out', n * K * 8);
      const zb = k.scratch('softmax.z', P * 16);
      k.raw[`predictSoftmax${P}`](x, ip, 0, n, this.nFeatures, K, wt, b, o, 0, 0, zb);
      out.set(k.f64.subarray(o >> 3, (o >> 3) + n * K));
      return out;
    }
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
