/**
 * The classifier contract the query strategies and the environments share: K-class
 * probabilities with the refit-from-scratch discipline (docs/curation.md: a fresh model after
 * every purchase, fitted on every labelled row with the task's recipe).
 */
export interface ProbabilisticModel {
  readonly nFeatures: number;
  readonly nClasses: number;
  /**
   * Fits from scratch (the unfitted state, then the whole training recipe) on rows
   * `rows[0..n)` of the row-major matrix `X` (`nFeatures` columns) with labels `labels[0..n)`
   * in [0, nClasses). Rows may repeat (bootstrap samples); the order given is the labelled order.
   */
  fit(X: ArrayLike<number>, rows: ArrayLike<number>, labels: ArrayLike<number>, n: number, immutableX?: boolean): void;
  /**
   * Class probabilities of rows `rows[0..n)` of `X`, written n × nClasses row-major into `out`.
   * `immutableX` (both methods): the caller promises X never changes (an episode's data), so an
   * implementation may keep a copy of it (the WebAssembly kernel); the numbers are the same.
   */
  predictProbaInto(X: ArrayLike<number>, rows: ArrayLike<number>, n: number, out: Float64Array, immutableX?: boolean): Float64Array;
}

/** A fresh, unfitted model for `nFeatures` features and `nClasses` classes. */
export type ModelFactory = (nFeatures: number, nClasses: number) => ProbabilisticModel;
