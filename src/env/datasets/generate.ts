/**
 * One episode's data for a data-set task (docs/datasets.md, "Generation"): the fixed stratified
 * split of the set into seed candidates / validation / held-out test / pool, the standardisation,
 * the hidden annotator regime and the label each pool row returns when bought — all drawn from
 * the episode's own RandomState(seed) in a fixed order.
 *
 * As in the curation family, what an agent may see (`EpisodeData`: features of the non-test rows,
 * the seed and validation labels, the bought labels) is kept apart from what only the grade and
 * the anchor oracles read (`EpisodeHidden`: regime, pool truth, the flip mask, the test set).
 */
import { RandomState } from '../../numerics/random-state.ts';
import type { Dataset } from './csv.ts';
import type { DatasetRegime, SplitSpec } from './params.ts';

export { DATASET_REGIMES, type DatasetRegime, type SplitSpec } from './params.ts';


/** The annotator model's fixed numbers (docs/datasets.md). */
export const ANNOTATOR = Object.freeze({
  /** flips: items of the hidden source class get the hidden target class with this probability. */
  flipRate: 0.4,
  /** defaulting: low-confidence items get the hidden default class with this probability. */
  defaultRate: 0.8,
  /** flips and defaulting: every other item gets a uniformly drawn wrong class with this probability. */
  baseRate: 0.02,
  /** Share of the pool that is low-confidence (smallest nearest-centroid margins). */
  lowConfidenceShare: 0.5,
});

export interface EpisodeHidden {
  regime: DatasetRegime;
  /** flips: source → target class; defaulting: the default class (unused numbers in other regimes). */
  flipSource: number;
  flipTarget: number;
  defaultClass: number;
  poolTruth: Uint8Array;
  /** 1 where the pool row is low-confidence (the defaulting regime's targets; computed in every regime). */
  poolLowConfidence: Uint8Array;
  /** 1 where the bought label differs from the truth. */
  poolFlipped: Uint8Array;
  /** Test features (nTest × d) and labels. */
  testX: Float64Array;
  testY: Uint8Array;
}

export interface EpisodeData {
  seed: number;
  K: number;
  d: number;
  /** Visible rows: seed candidates, then validation, then pool (episode order), standardised, row-major. */
  X: Float64Array;
  nSeedCandidates: number;
  nValidation: number;
  nPool: number;
  /** First row of the validation and pool blocks in `X`. */
  validationStart: number;
  poolStart: number;
  /** Labels of the seed candidates and validation rows (true labels). */
  yVisible: Uint8Array;
  /** The label buying pool row i returns. */
  poolLabel: Uint8Array;
  hidden: EpisodeHidden;
  /** The generator after every reset draw (random strategies continue from it). */
  rngAfter: RandomState;
}

/** Rows each split gets from a class of `count` rows; throws a RangeError when one would be empty. */
export function classSplit(count: number, s: SplitSpec): { seed: number; validation: number; test: number; pool: number } {
  const validation = Math.max(1, Math.floor(count * s.validationFraction + 0.5));
  const test = Math.max(1, Math.floor(count * s.testFraction + 0.5));
  const pool = count - s.seedPerClass - validation - test;
  return { seed: s.seedPerClass, validation, test, pool };
}

/** The smallest class size the split can serve (every split non-empty, at least one pool row). */
export function minRowsPerClass(s: SplitSpec): number {
  let n = s.seedPerClass + 3;
  while (classSplit(n, s).pool < 1) n++;
  return n;
}

/** Rows of each class, in file order. */
function rowsByClass(ds: Dataset): Int32Array[] {
  const counts = new Int32Array(ds.nClasses);
  for (let i = 0; i < ds.nRows; i++) counts[ds.y[i]]++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(ds.nClasses);
  for (let i = 0; i < ds.nRows; i++) out[ds.y[i]][fill[ds.y[i]]++] = i;
  return out;
}

/** The episode's data (docs/datasets.md "Generation", draws in this order). */
export function generateEpisodeData(ds: Dataset, split: SplitSpec, seed: number): EpisodeData {
  const K = ds.nClasses;
  const d = ds.nFeatures;
  const rs = RandomState.fromSeed(seed);

  // 1. Regime, then its three parameters (drawn in every regime, so the stream does not depend on it).
  const u0 = rs.nextDouble();
  const regime: DatasetRegime = u0 < 1 / 3 ? 'clean' : u0 < 2 / 3 ? 'flips' : 'defaulting';
  const flipSource = Math.floor(rs.nextDouble() * K);
  const flipTarget = (flipSource + 1 + Math.floor(rs.nextDouble() * (K - 1))) % K;
  const defaultClass = Math.floor(rs.nextDouble() * K);

  // 2. Stratified split: per class in class order, a permutation of its rows (file order) cut into
  //    seed candidates, validation, test and pool.
  const parts: number[][] = [[], [], [], []];
  for (const rows of rowsByClass(ds)) {
    const c = classSplit(rows.length, split);
    if (c.pool < 1) throw new RangeError(`a class of ${rows.length} rows is too small for the split`);
    const perm = rs.permutation(rows.length);
    let at = 0;
    const take = (into: number[], k: number) => {
      for (let i = 0; i < k; i++) into.push(rows[perm[at++]]);
    };
    take(parts[0], c.seed);
    take(parts[1], c.validation);
    take(parts[2], c.test);
    take(parts[3], c.pool);
  }
  // 3. Episode order inside each split: a permutation of its rows (seed, validation, test, pool).
  const ordered = parts.map((p) => {
    const perm = rs.permutation(p.length);
    return Int32Array.from(perm, (i) => p[i]);
  });
  const [seedRows, valRows, testRows, poolRows] = ordered;

  // 4. Annotator uniforms over the pool: whether a label is wrong, and which wrong class.
  const nPool = poolRows.length;
  const u = rs.rand(nPool);
  const v = rs.rand(nPool);

  // 5. Standardisation over the visible rows (seed candidates, validation, pool; population std,
  //    plain sums in episode order; a constant column is centred only).
  const visible = Int32Array.from([...seedRows, ...valRows, ...poolRows]);
  const nv = visible.length;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let acc = 0;
    for (let i = 0; i < nv; i++) acc += ds.X[visible[i] * d + j];
    const m = acc / nv;
    let q = 0;
    for (let i = 0; i < nv; i++) {
      const dv = ds.X[visible[i] * d + j] - m;
      q += dv * dv;
    }
    mean[j] = m;
    const s = Math.sqrt(q / nv);
    sd[j] = s === 0 ? 1 : s;
  }
  const scaled = (rows: Int32Array): Float64Array => {
    const out = new Float64Array(rows.length * d);
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < d; j++) out[i * d + j] = (ds.X[rows[i] * d + j] - mean[j]) / sd[j];
    return out;
  };
  const X = scaled(visible);
  const testX = scaled(testRows);
  const testY = Uint8Array.from(testRows, (r) => ds.y[r]);

  // 6. Low-confidence pool rows: the smallest nearest-centroid margins (squared distance to the
  //    nearest other class centroid minus that to the own one), centroids of the visible rows by
  //    their true class. Ties by position.
  const poolStart = seedRows.length + valRows.length;
  const poolTruth = Uint8Array.from(poolRows, (r) => ds.y[r]);
  const centroid = new Float64Array(K * d);
  const counts = new Float64Array(K);
  for (let i = 0; i < nv; i++) {
    const k = ds.y[visible[i]];
    counts[k]++;
    for (let j = 0; j < d; j++) centroid[k * d + j] += X[i * d + j];
  }
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) centroid[k * d + j] /= counts[k];
  const margin = new Float64Array(nPool);
  for (let i = 0; i < nPool; i++) {
    const base = (poolStart + i) * d;
    let own = 0;
    let other = Infinity;
    for (let k = 0; k < K; k++) {
      let acc = 0;
      for (let j = 0; j < d; j++) {
        const dv = X[base + j] - centroid[k * d + j];
        acc += dv * dv;
      }
      if (k === poolTruth[i]) own = acc;
      else if (acc < other) other = acc;
    }
    margin[i] = other - own;
  }
  const byMargin = Array.from({ length: nPool }, (_, i) => i).sort((a, b) => margin[a] - margin[b] || a - b);
  const poolLowConfidence = new Uint8Array(nPool);
  const nLow = Math.floor(nPool * ANNOTATOR.lowConfidenceShare);
  for (let i = 0; i < nLow; i++) poolLowConfidence[byMargin[i]] = 1;

  // 7. Bought labels.
  const poolLabel = new Uint8Array(nPool);
  const poolFlipped = new Uint8Array(nPool);
  for (let i = 0; i < nPool; i++) {
    const truth = poolTruth[i];
    let label = truth;
    if (regime === 'flips') {
      if (truth === flipSource) {
        if (u[i] < ANNOTATOR.flipRate) label = flipTarget;
      } else if (u[i] < ANNOTATOR.baseRate) label = (truth + 1 + Math.floor(v[i] * (K - 1))) % K;
    } else if (regime === 'defaulting') {
      if (poolLowConfidence[i] === 1) {
        if (u[i] < ANNOTATOR.defaultRate) label = defaultClass;
      } else if (u[i] < ANNOTATOR.baseRate) label = (truth + 1 + Math.floor(v[i] * (K - 1))) % K;
    }
    poolLabel[i] = label;
    poolFlipped[i] = label === truth ? 0 : 1;
  }

  const yVisible = Uint8Array.from([...seedRows, ...valRows], (r) => ds.y[r]);
  return {
    seed,
    K,
    d,
    X,
    nSeedCandidates: seedRows.length,
    nValidation: valRows.length,
    nPool,
    validationStart: seedRows.length,
    poolStart,
    yVisible,
    poolLabel,
    hidden: { regime, flipSource, flipTarget, defaultClass, poolTruth, poolLowConfidence, poolFlipped, testX, testY },
    rngAfter: rs,
  };
}
