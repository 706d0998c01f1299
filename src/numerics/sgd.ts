/**
 * scikit-learn 1.2's `SGDClassifier(loss="log_loss", learning_rate="adaptive", eta0=0.01 (or another eta0),
 * max_iter=1, tol=None, random_state=42)` for two classes: `partial_fit` and `predict_proba`
 * (docs/numerics.md §5, §6).
 *
 * Each `partial_fit` call builds a fresh RandomState(42), so every call shuffles with the same
 * seed (1 273 642 419): the visiting order depends only on the row count and is cached. The
 * learning rate never leaves eta0 (tol=None disables the no-improvement counter), the L2 decay
 * is applied through a weight scale that restarts at 1.0 on every call.
 */
import { RandomState } from './random-state.ts';
import { KERNEL_MAX_DOUBLES, sgdKernel, type SgdKernel } from './sgd-kernel.ts';

export const SGD_RANDOM_STATE = 42;
/** The classic tasks' learning rate; the curation family uses 0.05 (docs/curation.md). */
export const DEFAULT_ETA0 = 0.01;
const ALPHA = 0.0001;
/** `1 − ((1 − l1_ratio) · eta · alpha)` with l1_ratio forced to 0 for the L2 penalty, left to right. */
const decayFor = (eta0: number) => 1.0 - (1.0 - 0.0) * eta0 * ALPHA;
const DLOSS_CLIP = 1e12;

/** The shuffle seed: the second of the two draws of a fresh RandomState(random_state). */
export function sgdShuffleSeed(randomState = SGD_RANDOM_STATE): number {
  const rs = RandomState.fromSeed(randomState);
  rs.randint(1, 2 ** 31 - 1);
  return rs.randint(0, 2 ** 31 - 1);
}

const SHUFFLE_SEED = sgdShuffleSeed();

/** The kernel when it may read X: X is immutable (kept resident) or staged for the running call. */
export function usableKernel(X: Float64Array, immutableX: boolean): SgdKernel | null {
  const k = sgdKernel();
  return k && X.length <= KERNEL_MAX_DOUBLES && (immutableX || k.isStaged(X)) ? k : null;
}
const orderCache = new Map<number, Int32Array>();

/** Row visiting order of one epoch over n rows (scikit-learn's xorshift Fisher–Yates). */
export function sgdVisitingOrder(n: number, seed = SHUFFLE_SEED): Int32Array {
  if (seed === SHUFFLE_SEED) {
    const cached = orderCache.get(n);
    if (cached) return cached;
  }
  const ind = new Int32Array(n);
  for (let i = 0; i < n; i++) ind[i] = i;
  let s = seed >>> 0;
  for (let i = 0; i < n - 1; i++) {
    if (s === 0) s = 1;
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    const r = s & 0x7fffffff;
    const j = i + (r % (n - i));
    const t = ind[i];
    ind[i] = ind[j];
    ind[j] = t;
  }
  if (seed === SHUFFLE_SEED && n <= 100_000) orderCache.set(n, ind);
  return ind;
}

export class SgdLogistic {
  readonly nFeatures: number;
  readonly coef: Float64Array;
  intercept: number;
  /** scikit-learn's `t_`: grows by n per call; inert with this learning rate. */
  t: number;
  /** The constant learning rate and the L2 weight decay derived from it. */
  readonly eta0: number;
  readonly decay: number;
  private readonly w: Float64Array;

  constructor(nFeatures: number, eta0: number = DEFAULT_ETA0) {
    this.nFeatures = nFeatures;
    this.eta0 = eta0;
    this.decay = decayFor(eta0);
    this.coef = new Float64Array(nFeatures);
    this.w = new Float64Array(nFeatures);
    this.intercept = 0.0;
    this.t = 1.0;
  }

  clone(): SgdLogistic {
    const m = new SgdLogistic(this.nFeatures, this.eta0);
    m.coef.set(this.coef);
    m.intercept = this.intercept;
    m.t = this.t;
    return m;
  }

  /** Back to the unfitted state (coef and intercept 0, t = 1), as a fresh estimator. */
  resetParameters(): void {
    this.coef.fill(0);
    this.intercept = 0.0;
    this.t = 1.0;
  }

  copyFrom(other: SgdLogistic): void {
    this.coef.set(other.coef);
    this.intercept = other.intercept;
    this.t = other.t;
  }

  /**
   * One `partial_fit` epoch over `n` rows. Row r of the batch is `X[rowIndex[r]·F …]` (so the
   * caller can train on rows of a larger matrix without copying) and its label is `labels[r]`.
   */
  partialFit(X: ArrayLike<number>, rowIndex: ArrayLike<number>, labels: ArrayLike<number>, n: number): void {
    const F = this.nFeatures;
    const w = this.w;
    const eta0 = this.eta0;
    const decay = this.decay;
    w.set(this.coef);
    let wscale = 1.0;
    let b = this.intercept;
    const order = sgdVisitingOrder(n);
    for (let k = 0; k < n; k++) {
      const r = order[k];
      const base = rowIndex[r] * F;
      const y = labels[r] === 1 ? 1.0 : -1.0;
      let dot = 0.0;
      for (let j = 0; j < F; j++) dot += w[j] * X[base + j];
      const p = dot * wscale + b;
      const z = p * y;
      let dloss: number;
      if (z > 18.0) dloss = Math.exp(-z) * -y;
      else if (z < -18.0) dloss = -y;
      else dloss = -y / (Math.exp(z) + 1.0);
      if (dloss < -DLOSS_CLIP) dloss = -DLOSS_CLIP;
      else if (dloss > DLOSS_CLIP) dloss = DLOSS_CLIP;
      const update = -eta0 * dloss;
      wscale = wscale * Math.max(0, decay);
      if (wscale < 1e-9) {
        for (let j = 0; j < F; j++) w[j] *= wscale;
        wscale = 1.0;
      }
      if (update !== 0.0) {
        const c = update / wscale;
        for (let j = 0; j < F; j++) w[j] += X[base + j] * c;
        b += update * 1.0;
      }
      this.t += 1;
    }
    for (let j = 0; j < F; j++) this.coef[j] = w[j] * wscale;
    this.intercept = b;
  }

  /**
   * `resetParameters()` then `epochs` × `partialFit(X, rows, labels, n)`: the curation family's
   * refit. With `immutableX` (X never changes, e.g. an episode's data) the WebAssembly kernel
   * (sgd-kernel.ts) keeps a copy of X and runs the same operations there.
   */
  fitFromScratch(X: Float64Array, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number, epochs: number, immutableX = false): void {
    const k = n > 0 && epochs > 0 ? usableKernel(X, immutableX) : null;
    if (!k) {
      this.resetParameters();
      for (let e = 0; e < epochs; e++) this.partialFit(X, rows, labels, n);
      return;
    }
    const F = this.nFeatures;
    const x = k.matrix(X);
    const rp = k.int32s('sgd.rows', rows, n);
    const lp = k.binaryLabels('sgd.labels', labels, n);
    const op = k.int32s('sgd.order', sgdVisitingOrder(n), n);
    const coef = k.scratch('sgd.coef', F * 8);
    const w = k.scratch('sgd.w', F * 8);
    const fit = F === 20 ? k.raw.fitBinary20 : k.raw.fitBinary;
    this.intercept = fit(x, rp, lp, op, n, F, epochs, this.eta0, Math.max(0, this.decay), coef, w);
    this.coef.set(k.f64.subarray(coef >> 3, (coef >> 3) + F));
    this.t = 1.0 + epochs * n;
  }

  /**
   * P(class 1) of rows `offset + idx[i]` (rows `offset + i` when `idx` is null) of X for i < n into
   * `out`, as `predictProba1Into`; `immutableX` as in `fitFromScratch`.
   */
  predictRowsInto(X: Float64Array, offset: number, idx: Int32Array | null, n: number, out: Float64Array, immutableX = false): Float64Array {
    const k = n > 0 ? usableKernel(X, immutableX) : null;
    if (!k) {
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-this.decision(X, offset + (idx === null ? i : idx[i]))));
      return out;
    }
    const o = this.kernelPredict(k, X, offset, idx, n);
    out.set(k.f64.subarray(o >> 3, (o >> 3) + n));
    return out;
  }

  private kernelPredict(k: SgdKernel, X: Float64Array, offset: number, idx: Int32Array | null, n: number): number {
    const F = this.nFeatures;
    const x = k.matrix(X);
    const ip = idx === null ? k.identity(n) : k.int32s('sgd.idx', idx, n);
    const coef = k.scratch('sgd.coef', F * 8);
    const out = k.scratch('sgd.out', n * 8);
    k.f64.set(this.coef, coef >> 3);
    (F === 20 ? k.raw.predictBinary20 : k.raw.predictBinary)(x, ip, offset, n, F, coef, this.intercept, out);
    return out;
  }

  /**
   * How many of rows 0…n−1 of X have (P(class 1) ≥ 0.5 ? 1 : 0) equal to `labels[i]` — the
   * accuracy count of `predictProba1Into`'s probabilities; `immutableX` as in `fitFromScratch`
   * (the kernel skips the exp where the sign of the decision value settles it, see sgd-kernel.ts).
   */
  countCorrect(X: Float64Array, labels: Uint8Array, n: number, immutableX = false): number {
    const k = n > 0 ? usableKernel(X, immutableX) : null;
    if (!k) {
      let correct = 0;
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-this.decision(X, i)));
        if ((p >= 0.5 ? 1 : 0) === labels[i]) correct++;
      }
      return correct;
    }
    const F = this.nFeatures;
    const x = k.matrix(X);
    const coef = k.scratch('sgd.coef', F * 8);
    const lp = k.scratch('sgd.testLabels', n);
    k.u8.set(labels.subarray(0, n), lp);
    k.f64.set(this.coef, coef >> 3);
    return (F === 20 ? k.raw.countCorrectBinary20 : k.raw.countCorrectBinary)(x, n, F, coef, this.intercept, lp);
  }

  /** Decision value of row `row` of a row-major matrix: running dot product, then + intercept. */
  decision(X: ArrayLike<number>, row: number): number {
    const F = this.nFeatures;
    const coef = this.coef;
    const base = row * F;
    let s = 0.0;
    for (let j = 0; j < F; j++) s += X[base + j] * coef[j];
    return s + this.intercept;
  }

  /** P(class 1) for each listed row (`expit` of the decision value), written into `out`. */
  predictProba1Into(X: ArrayLike<number>, rows: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-this.decision(X, rows[i])));
    return out;
  }
}
