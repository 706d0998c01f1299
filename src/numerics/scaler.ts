/**
 * scikit-learn 1.2's `StandardScaler().fit_transform` for a dense row-major matrix
 * (docs/numerics.md §3): running column sums, the corrected two-pass variance,
 * the constant-column guard, and a true division in the transform.
 */

export interface ScalerStats {
  mean: Float64Array;
  variance: Float64Array;
  scale: Float64Array;
}

const EPS = 2 ** -52;

export function fitStandardScaler(X: Float64Array, nRows: number, nCols: number): ScalerStats {
  const mean = new Float64Array(nCols);
  const variance = new Float64Array(nCols);
  const scale = new Float64Array(nCols);
  for (let j = 0; j < nCols; j++) {
    let S = 0.0;
    for (let i = 0; i < nRows; i++) S += X[i * nCols + j];
    const m = (0.0 + S) / nRows;
    const T = S / nRows;
    let C = 0.0;
    let Q = 0.0;
    for (let i = 0; i < nRows; i++) {
      const d = X[i * nCols + j] - T;
      C += d;
      Q += d * d;
    }
    const v = (Q - (C * C) / nRows) / nRows;
    mean[j] = m;
    variance[j] = v;
    const bound = (nRows * EPS) * v + ((nRows * m) * EPS) ** 2;
    scale[j] = v <= bound ? 1.0 : Math.sqrt(v);
  }
  return { mean, variance, scale };
}

export function standardScaleTransform(X: Float64Array, nRows: number, nCols: number, stats: ScalerStats): Float64Array {
  const out = new Float64Array(nRows * nCols);
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nCols; j++) out[i * nCols + j] = (X[i * nCols + j] - stats.mean[j]) / stats.scale[j];
  }
  return out;
}
