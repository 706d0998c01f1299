/**
 * Grade anchors of the built-in data-set tasks (docs/datasets.md "Grade and anchors"): per task
 * and annotator regime, the mean final test accuracy over the seeds of DATASET_ANCHOR_SEEDS in
 * that regime of `random` episodes and of the two clean-label oracles; `reference` is the better
 * oracle. test/env/dataset-anchors.test.ts recomputes them from scratch and checks these values.
 */
import type { DatasetRegime } from './params.ts';

export interface DatasetAnchor {
  random: number;
  reference: number;
  oracle_uncertainty: number;
  oracle_random: number;
  /** Seeds of the anchor range in this regime. */
  n: number;
}

export const DATASET_ANCHORS: Readonly<Record<string, Readonly<Record<DatasetRegime, DatasetAnchor>>>> = Object.freeze({
  'breast-cancer': Object.freeze({
    clean: Object.freeze({ random: 0.9583511624589925, reference: 0.9727570959920121, oracle_uncertainty: 0.9727570959920121, oracle_random: 0.9583511624589925, n: 41 }),
    flips: Object.freeze({ random: 0.7322312190733243, reference: 0.9691857849752581, oracle_uncertainty: 0.9691857849752581, oracle_random: 0.9556905083220867, n: 52 }),
    defaulting: Object.freeze({ random: 0.8249945852285033, reference: 0.958197964045917, oracle_uncertainty: 0.958197964045917, oracle_random: 0.9419536495559887, n: 27 }),
  }),
  iris: Object.freeze({
    clean: Object.freeze({ random: 0.8693766937669378, reference: 0.9365853658536584, oracle_uncertainty: 0.9365853658536584, oracle_random: 0.8693766937669378, n: 41 }),
    flips: Object.freeze({ random: 0.788888888888889, reference: 0.9200854700854695, oracle_uncertainty: 0.9200854700854695, oracle_random: 0.8611111111111109, n: 52 }),
    defaulting: Object.freeze({ random: 0.654320987654321, reference: 0.8584362139917698, oracle_uncertainty: 0.8584362139917698, oracle_random: 0.823868312757202, n: 27 }),
  }),
  wine: Object.freeze({
    clean: Object.freeze({ random: 0.9544408651633692, reference: 0.9756097560975615, oracle_uncertainty: 0.9756097560975615, oracle_random: 0.9544408651633692, n: 41 }),
    flips: Object.freeze({ random: 0.8486937590711177, reference: 0.9727866473149496, oracle_uncertainty: 0.9727866473149496, oracle_random: 0.9550072568940497, n: 52 }),
    defaulting: Object.freeze({ random: 0.80083857442348, reference: 0.9650593990216633, oracle_uncertainty: 0.9650593990216633, oracle_random: 0.955276030747729, n: 27 }),
  }),
  digits: Object.freeze({
    clean: Object.freeze({ random: 0.9094981673378887, reference: 0.9418978234309245, oracle_uncertainty: 0.9418978234309245, oracle_random: 0.9094981673378887, n: 41 }),
    flips: Object.freeze({ random: 0.8485086342229202, reference: 0.9366704723847579, oracle_uncertainty: 0.9366704723847579, oracle_random: 0.903061224489796, n: 52 }),
    defaulting: Object.freeze({ random: 0.5907373050230194, reference: 0.9235896378753521, oracle_uncertainty: 0.9235896378753521, oracle_random: 0.8738404452690168, n: 27 }),
  }),
});
