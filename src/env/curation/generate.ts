/**
 * The curation family's data generation (docs/curation.md): one episode's rows, drawn from the
 * episode's own RandomState in exactly the specified order. The result is split into what the
 * environment may show an agent (`CurationData`: features of the non-test rows, the labels of
 * the seed and validation rows, the label an annotator returns when a pool row is bought) and
 * what only the grader and the anchor oracles may read (`CurationHidden`: regime, pool truth,
 * low-quality and flip masks, the test set). Test rows are not in the visible feature matrix.
 */
import { RandomState } from '../../numerics/random-state.ts';
import { kthSmallest } from '../../numerics/reductions.ts';
import { CURATION, SPLITS, type Regime } from './params.ts';

export interface CurationHidden {
  regime: Regime;
  /** True labels of the pool positions (pool row r − 1300). */
  poolTruth: Uint8Array;
  /** 1 where the pool row is low-quality (defaulting regime only). */
  poolLowQuality: Uint8Array;
  /** 1 where the annotator's label differs from the truth (bought label = 1 − truth). */
  poolFlipped: Uint8Array;
  /** Test features (1000 × 20, row-major) and labels. */
  testX: Float64Array;
  testY: Uint8Array;
}

export interface CurationData {
  seed: number;
  /**
   * Standardised features in episode-row order (2500 × 20, row-major); the test block
   * (rows 300–1299) is NaN here — its features are only in `hidden.testX`.
   */
  X: Float64Array;
  /** Labels of the seed candidates and validation rows (0–299); the rest is unset. */
  yVisible: Uint8Array;
  /** The label buying pool row 1300 + i returns (annotator noise applied). */
  poolLabel: Uint8Array;
  hidden: CurationHidden;
  /** The generator after every reset draw (the random sampler continues from it). */
  rngAfter: RandomState;
}

let scratchX = new Float64Array(0);
let scratchZd = new Float64Array(0);

/** Draws a seed's data set (task-independent: the seed set is chosen later from rows 0–99). */
export function generateCurationData(seed: number): CurationData {
  const { nFeatures: d, nInformative: k, nClusters: M, nRows: n } = CURATION;
  const rs = RandomState.fromSeed(seed);

  // 1. Regime.
  const regime: Regime = rs.nextDouble() < CURATION.pDefaulting ? 'defaulting' : 'clean';
  const deg = regime === 'defaulting' ? CURATION.defaulting : CURATION.clean;

  // 2. Cluster centres: normal(0, center_scale, M·d).
  const C = new Float64Array(M * d);
  rs.addNormalInto(C, 0, M * d, 0, CURATION.centerScale);

  // 3. X = C[i mod M] + normal(0, 1, n·d): prefill the centre, then add the draws (C + (0 + 1·g)).
  // Scratch of the process (generation is synchronous): only the standardised copy is kept.
  const X = scratchX.length === n * d ? scratchX : (scratchX = new Float64Array(n * d));
  for (let i = 0; i < n; i++) X.set(C.subarray((i % M) * d, (i % M) * d + d), i * d);
  rs.addNormalInto(X, 0, n * d, 0, 1);

  // 4. Teacher on the first k features, unit norm; threshold at the (1 − pos_rate) quantile.
  const wr = new Float64Array(k);
  rs.addNormalInto(wr, 0, k, 0, 1);
  let sq = 0;
  for (let j = 0; j < k; j++) sq += wr[j] * wr[j];
  const nn = Math.sqrt(sq);
  const w = new Float64Array(d);
  for (let j = 0; j < k; j++) w[j] = wr[j] / nn;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    const base = i * d;
    for (let j = 0; j < d; j++) acc += w[j] * X[base + j];
    s[i] = acc;
  }
  // sorted(s)[⌊(1 − pos_rate)·n⌋], by selection (the same number as sorting, see kthSmallest).
  const thr = kthSmallest(s, n, Math.floor((1 - CURATION.positiveRate) * n), new Float64Array(n));
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = s[i] - thr;

  // 5. True labels with a little Bayes noise.
  const e = new Float64Array(n);
  rs.addNormalInto(e, 0, n, 0, 1);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) y[i] = t[i] + CURATION.bayesSd * e[i] > 0 ? 1 : 0;

  // 6. Low-quality items: both draws happen in every regime (in clean, deg_sd = 0 and deg_frac = 0).
  const ud = rs.rand(n);
  // In clean, normal(0, 0, n·d) is all zeros and no row uses it: advance the stream without the values.
  const Zd = deg.degSd === 0 ? null : scratchZd.length === n * d ? scratchZd.fill(0) : (scratchZd = new Float64Array(n * d));
  if (Zd) rs.addNormalInto(Zd, 0, n * d, 0, deg.degSd);
  else rs.skipGaussians(n * d);
  const mc = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let acc = 0;
    for (let c = 0; c < M; c++) acc += C[c * d + j] / M;
    mc[j] = acc;
  }
  const lowQuality = new Uint8Array(n);
  for (let i = 0; Zd && i < n; i++) {
    if (!(ud[i] < deg.degFrac)) continue;
    lowQuality[i] = 1;
    const base = i * d;
    for (let j = 0; j < d; j++) X[base + j] = mc[j] + deg.degLambda * (X[base + j] - mc[j]) + Zd[base + j];
  }

  // 7–8. Episode order, then the annotator uniforms (indexed by episode row).
  const perm = rs.permutation(n);
  const u = rs.rand(n);

  // 9. Standardise every column over all generated rows (generated order), then permute.
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  // Row-major passes: each column still sums its rows in generated order (the same additions).
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) mean[j] += X[base + j];
  }
  for (let j = 0; j < d; j++) mean[j] = mean[j] / n;
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) {
      const dv = X[base + j] - mean[j];
      sd[j] += dv * dv;
    }
  }
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] / n);
  const Xe = new Float64Array(n * d);
  const ye = new Uint8Array(n);
  const te = new Float64Array(n);
  const lqe = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const src = perm[r] * d;
    const dst = r * d;
    for (let j = 0; j < d; j++) Xe[dst + j] = (X[src + j] - mean[j]) / sd[j];
    ye[r] = y[perm[r]];
    te[r] = t[perm[r]];
    lqe[r] = lowQuality[perm[r]];
  }

  // 10. The test block moves to the hidden part.
  const [testStart, testEnd] = SPLITS.test;
  const testX = Xe.slice(testStart * d, testEnd * d);
  const testY = ye.slice(testStart, testEnd);
  Xe.fill(Number.NaN, testStart * d, testEnd * d);

  // 11. Annotator labels of the pool rows.
  const [poolStart, poolEnd] = SPLITS.pool;
  const P = poolEnd - poolStart;
  const poolTruth = ye.slice(poolStart, poolEnd);
  const poolLowQuality = lqe.slice(poolStart, poolEnd);
  const poolFlipped = new Uint8Array(P);
  const poolLabel = new Uint8Array(P);
  const twoTauSq = 2 * CURATION.tau * CURATION.tau;
  for (let i = 0; i < P; i++) {
    const r = poolStart + i;
    const truth = poolTruth[i];
    let pFlip: number;
    if (poolLowQuality[i] === 1) pFlip = truth === 1 ? CURATION.defaulting.rhoDeg1 : CURATION.defaulting.rhoDeg0;
    else pFlip = CURATION.rhoBase + CURATION.rho * Math.exp(-(te[r] * te[r]) / twoTauSq);
    const flipped = u[r] < pFlip;
    poolFlipped[i] = flipped ? 1 : 0;
    poolLabel[i] = flipped ? 1 - truth : truth;
  }

  const yVisible = new Uint8Array(n);
  yVisible.set(ye.subarray(0, SPLITS.validation[1]));
  return {
    seed,
    X: Xe,
    yVisible,
    poolLabel,
    hidden: { regime, poolTruth, poolLowQuality, poolFlipped, testX, testY },
    rngAfter: rs,
  };
}
