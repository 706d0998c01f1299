/**
 * `SgdLogistic` behind the K-class `ProbabilisticModel` contract (K = 2): `fit` is the curation
 * family's refit (reset, then `epochs` partial_fit calls on the rows in the order given) and the
 * probabilities are [1 − p, p] with p = expit(decision), exactly as CurationEnv computes them.
 */
import type { ProbabilisticModel } from './model.ts';
import { SgdLogistic } from './sgd.ts';

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

  fit(X: ArrayLike<number>, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number): void {
    this.model.resetParameters();
    if (n === 0) return;
    for (let e = 0; e < this.epochs; e++) this.model.partialFit(X, rows, labels, n);
  }

  predictProbaInto(X: ArrayLike<number>, rows: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-this.model.decision(X, rows[i])));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
}
