/**
 * scikit-learn 1.2's `make_classification`, on the documented path only
 * (docs/numerics.md §2): two classes, `weights=None`, `hypercube=True`,
 * `shift=0`, `scale=1`, `shuffle=True`, no repeated features, equal cluster sizes, and vertices
 * drawn by a full permutation (0.01 < clusters / 2^informative < 0.99). Parameters outside that
 * domain are rejected rather than computed differently from scikit-learn.
 *
 * Matrix products use the plain running sum (numpy's BLAS fuses multiply-adds; the difference is
 * ≤ 1.8e-15 on the data set, docs/numerics.md §2).
 */
import { RandomState } from './random-state.ts';

export interface MakeClassificationParams {
  nSamples: number;
  nFeatures: number;
  nInformative: number;
  nRedundant: number;
  nClustersPerClass: number;
  flipY: number;
  classSep: number;
  seed: number;
}

export interface Dataset {
  /** Row-major `nSamples × nFeatures`. */
  X: Float64Array;
  /** Labels 0/1. */
  y: Uint8Array;
  nSamples: number;
  nFeatures: number;
}

const N_CLASSES = 2;

function checkDomain(p: MakeClassificationParams): void {
  const fail = (msg: string): never => {
    throw new RangeError(`make_classification: ${msg}`);
  };
  for (const [name, v] of Object.entries(p)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${name} must be a finite number`);
  }
  const ints = ['nSamples', 'nFeatures', 'nInformative', 'nRedundant', 'nClustersPerClass', 'seed'] as const;
  for (const name of ints) if (!Number.isInteger(p[name]) || p[name] < 0) fail(`${name} must be a non-negative integer`);
  if (p.nInformative < 1 || p.nInformative > 30) fail('nInformative must be in 1..30');
  if (p.nClustersPerClass < 1) fail('nClustersPerClass must be ≥ 1');
  if (p.nInformative + p.nRedundant > p.nFeatures) fail('nInformative + nRedundant must not exceed nFeatures');
  const nClusters = N_CLASSES * p.nClustersPerClass;
  const ratio = nClusters / 2 ** p.nInformative;
  if (!(ratio > 0.01 && ratio < 0.99)) {
    fail(`clusters / 2^nInformative = ${ratio} is outside (0.01, 0.99): vertex sampling would take another path`);
  }
  const perCluster = Math.trunc((p.nSamples * (1 / N_CLASSES)) / p.nClustersPerClass);
  if (perCluster * nClusters !== p.nSamples) fail(`nSamples ${p.nSamples} must split evenly into ${nClusters} clusters`);
  if (p.flipY < 0 || p.flipY > 1) fail('flipY must be in [0, 1]');
  if (p.classSep <= 0) fail('classSep must be > 0');
  if (p.seed > 0xffffffff) fail('seed must be ≤ 2^32−1');
}

export function makeClassification(p: MakeClassificationParams): Dataset {
  checkDomain(p);
  const { nSamples: n, nFeatures: F, nInformative: I, nRedundant: R, classSep } = p;
  const g = RandomState.fromSeed(p.seed);
  const nClusters = N_CLASSES * p.nClustersPerClass;
  const perCluster = n / nClusters;
  const X = new Float64Array(n * F);
  const y = new Uint8Array(n);

  // Vertices of the hypercube: permutation(2^I)[:nClusters], bits most significant first.
  const vertices = g.permutation(2 ** I).subarray(0, nClusters);
  const centroids = new Float64Array(nClusters * I);
  for (let k = 0; k < nClusters; k++) {
    for (let d = 0; d < I; d++) {
      const bit = Math.floor(vertices[k] / 2 ** (I - 1 - d)) % 2;
      centroids[k * I + d] = bit * (2 * classSep) - classSep;
    }
  }

  // Informative block.
  for (let i = 0; i < n; i++) for (let d = 0; d < I; d++) X[i * F + d] = g.gauss();

  // Per-cluster linear transform and shift.
  const A = new Float64Array(I * I);
  const row = new Float64Array(I);
  for (let k = 0; k < nClusters; k++) {
    for (let q = 0; q < I * I; q++) A[q] = 2 * g.nextDouble() - 1;
    for (let i = k * perCluster; i < (k + 1) * perCluster; i++) {
      y[i] = k % N_CLASSES;
      const base = i * F;
      for (let c = 0; c < I; c++) {
        let s = 0.0;
        for (let r = 0; r < I; r++) s += X[base + r] * A[r * I + c];
        row[c] = s;
      }
      for (let c = 0; c < I; c++) X[base + c] = row[c] + centroids[k * I + c];
    }
  }

  // Redundant block: linear combinations of the informative features.
  if (R > 0) {
    const B = new Float64Array(I * R);
    for (let q = 0; q < I * R; q++) B[q] = 2 * g.nextDouble() - 1;
    for (let i = 0; i < n; i++) {
      const base = i * F;
      for (let c = 0; c < R; c++) {
        let s = 0.0;
        for (let r = 0; r < I; r++) s += X[base + r] * B[r * R + c];
        X[base + I + c] = s;
      }
    }
  }

  // Useless features.
  const nUseless = F - I - R;
  for (let i = 0; i < n; i++) for (let d = 0; d < nUseless; d++) X[i * F + I + R + d] = g.gauss();

  // Label noise: rows with u < flipY get a random class (which may equal the old one).
  const u = g.rand(n);
  for (let i = 0; i < n; i++) if (u[i] < p.flipY) y[i] = g.randint(0, N_CLASSES);

  // shift 0.0 / scale 1.0: `X + 0.0` only maps −0 to +0.
  for (let q = 0; q < X.length; q++) X[q] = X[q] + 0.0;

  // Row shuffle, then column shuffle.
  const rowPerm = g.permutation(n);
  const colPerm = g.permutation(F);
  const Xs = new Float64Array(n * F);
  const ys = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const src = rowPerm[i] * F;
    const dst = i * F;
    for (let j = 0; j < F; j++) Xs[dst + j] = X[src + colPerm[j]];
    ys[i] = y[rowPerm[i]];
  }
  return { X: Xs, y: ys, nSamples: n, nFeatures: F };
}
