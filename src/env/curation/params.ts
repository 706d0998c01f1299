/**
 * The curation family's fixed parameters (docs/curation.md). Task-specific numbers (seed-set size,
 * budget, steps, anchors) live in the task registry; everything here is shared by the three tasks.
 */
export const CURATION = Object.freeze({
  nFeatures: 20,
  nInformative: 6,
  nClusters: 4,
  centerScale: 1.0,
  nSeedCandidates: 100,
  nValidation: 200,
  nTest: 1000,
  nPool: 1200,
  /** n = 2500 generated rows. */
  nRows: 2500,
  positiveRate: 0.5,
  bayesSd: 0.1,
  /** Annotator noise of ordinary rows: rho_base + rho · exp(−t² / (2·tau²)). */
  tau: 0.5,
  rhoBase: 0.02,
  rho: 0.05,
  pDefaulting: 0.45,
  defaulting: { degFrac: 0.5, degLambda: 0.2, degSd: 0.5, rhoDeg1: 0.9, rhoDeg0: 0.05 },
  clean: { degFrac: 0, degLambda: 0.2, degSd: 0 },
  minBatch: 5,
  eta0: 0.05,
  fitEpochs: 10,
  rewardScale: 10,
});

/** Episode-row ranges [start, end) of the splits (§2 step 10). */
export const SPLITS = Object.freeze({
  seedCandidates: [0, 100] as const,
  validation: [100, 300] as const,
  test: [300, 1300] as const,
  pool: [1300, 2500] as const,
});

export type Regime = 'clean' | 'defaulting';
export const REGIMES: readonly Regime[] = ['clean', 'defaulting'];
