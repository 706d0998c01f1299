/**
 * `SgdLogistic` behind the K-class `ProbabilisticModel` contract (K = 2): `fit` is the curation
 * family's refit (reset, then `epochs` partial_fit calls on the rows in the order given) and the
 * probabilities are [1 − p, p] with p = expit(decision), exactly as CurationEnv computes them.
 */
import type { ProbabilisticModel } from './model.ts';
import { SgdLogistic, usableKernel } from './sgd.ts';

let p1 = new Float64Array(0);
const scratchP1 = (n: number) => (p1.length >= n ? p1 : (p1 = new Float64Array(n)));

export class BinaryLogisticModel implements ProbabilisticModel {
  readonly nFeatures: number;
  readonly nClasses = 2;
  readonly model: SgdLogistic;
  readonly epochs: number;

  constructor(nFeatures: number, eta0: number, epochs: number) {
    this.nFeatures = nFeatures;
    this.model = new SgdLogistic(nFeatures, eta0);
    this.epochs = epochs;
  }

  fit(X: ArrayLike<number>, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number, immutableX = false): void {
    // The kernel runs it when X is immutable or staged for the running call (see sgd-kernel.ts).
    if (X instanceof Float64Array) this.model.fitFromScratch(X, rows, labels, n, this.epochs, immutableX);
    else {
      this.model.resetParameters();
      for (let e = 0; e < this.epochs; e++) this.model.partialFit(X, rows, labels, n);
    }
  }

  predictProbaInto(X: ArrayLike<number>, rows: ArrayLike<number>, n: number, out: Float64Array, immutableX = false): Float64Array {
    if (X instanceof Float64Array && rows instanceof Int32Array && n > 0 && usableKernel(X, immutableX)) {
      const p = this.model.predictRowsInto(X, 0, rows, n, scratchP1(n), immutableX);
      for (let i = 0; i < n; i++) {
        out[2 * i] = 1 - p[i];
        out[2 * i + 1] = p[i];
      }
      return out;
    }
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-this.model.decision(X, rows[i])));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
}
