/**
 * The seed- and task-independent part of every episode (docs/numerics.md §7, reset):
 * the data set, its standardisation, the split, the warmed-up model, the initial performance and
 * diversity. Computed once per process per data spec, on first use, and shared read-only.
 */
import { makeClassification } from '../numerics/make-classification.ts';
import { logLoss, performanceFromLogLoss } from '../numerics/metrics.ts';
import { columnMeanOfRows, stdFlat } from '../numerics/reductions.ts';
import { fitStandardScaler, standardScaleTransform } from '../numerics/scaler.ts';
import { SgdLogistic } from '../numerics/sgd.ts';
import type { DataSpec } from './tasks.ts';

export interface World {
  readonly spec: DataSpec;
  readonly nFeatures: number;
  /** The standardised data set, row-major. */
  readonly X: Float64Array;
  readonly y: Uint8Array;
  /** Row indices of the seed (training) rows and of the validation rows in `X`. */
  readonly seedRows: Int32Array;
  readonly validationRows: Int32Array;
  readonly validationLabels: Uint8Array;
  readonly poolStart: number;
  readonly poolSize: number;
  /** The seed rows copied out (the initial training matrix). */
  readonly seedMatrix: Float64Array;
  readonly seedLabels: Uint8Array;
  /** Model after the warm-up calls (never mutated: episodes clone it). */
  readonly warmModel: SgdLogistic;
  readonly initialPerformance: number;
  readonly initialDiversity: number;
  readonly seedCentroid: Float64Array;
}

const worlds = new Map<string, World>();

function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}

function buildWorld(spec: DataSpec): World {
  const F = spec.nFeatures;
  const ds = makeClassification({
    nSamples: spec.nSamples,
    nFeatures: F,
    nInformative: spec.nInformative,
    nRedundant: spec.nRedundant,
    nClustersPerClass: spec.nClustersPerClass,
    flipY: spec.baseFlipY,
    classSep: spec.classSep,
    seed: spec.datasetSeed,
  });
  const X = standardScaleTransform(ds.X, spec.nSamples, F, fitStandardScaler(ds.X, spec.nSamples, F));
  const seedRows = range(...spec.seedRows);
  const validationRows = range(...spec.validationRows);
  const nSeed = seedRows.length;

  const warmModel = new SgdLogistic(F);
  for (let c = 0; c < spec.warmupCalls; c++) warmModel.partialFit(X, seedRows, ds.y, nSeed);

  const validationLabels = Uint8Array.from(validationRows, (r) => ds.y[r]);
  const p1 = warmModel.predictProba1Into(X, validationRows, validationRows.length, new Float64Array(validationRows.length));
  const initialPerformance = performanceFromLogLoss(
    logLoss(validationLabels, p1, validationRows.length, new Float64Array(validationRows.length)),
  );

  const seedMatrix = X.slice(spec.seedRows[0] * F, spec.seedRows[1] * F);
  const seedLabels = ds.y.slice(spec.seedRows[0], spec.seedRows[1]);
  const initialDiversity = stdFlat(seedMatrix, seedMatrix.length, new Float64Array(seedMatrix.length));
  const seedCentroid = columnMeanOfRows(X, seedRows, nSeed, F, new Float64Array(F));

  return Object.freeze({
    spec,
    nFeatures: F,
    X,
    y: ds.y,
    seedRows,
    validationRows,
    validationLabels,
    poolStart: spec.poolRows[0],
    poolSize: spec.poolRows[1] - spec.poolRows[0],
    seedMatrix,
    seedLabels,
    warmModel,
    initialPerformance,
    initialDiversity,
    seedCentroid,
  });
}

/** The shared world of a data spec (built on first call). */
const bySpec = new WeakMap<DataSpec, World>();

export function getWorld(spec: DataSpec): World {
  // Task specs are frozen registry objects: the identity lookup avoids serialising per reset.
  const same = bySpec.get(spec);
  if (same) return same;
  const key = JSON.stringify(spec);
  let w = worlds.get(key);
  if (!w) {
    w = buildWorld(spec);
    worlds.set(key, w);
  }
  if (Object.isFrozen(spec)) bySpec.set(spec, w);
  return w;
}
