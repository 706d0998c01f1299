/**
 * Grade anchors of the curation tasks (docs/curation.md): per task and regime, the mean test
 * accuracy of random-only batch-10 episodes (`random`) and of the better of the two clean-label
 * oracles (`reference`) over seeds 1000–1199. They ship as constants; test/env/curation-anchors
 * recomputes them from scratch and checks these values to 1e-12.
 */
import type { Regime } from './params.ts';

export interface Anchor {
  random: number;
  reference: number;
  oracle_uncertainty: number;
  oracle_diversity: number;
  /** Seeds of 1000–1199 in this regime. */
  n: number;
}

export const ANCHOR_SEEDS = { first: 1000, last: 1199 } as const;

export const CURATION_ANCHORS: Readonly<Record<string, Readonly<Record<Regime, Anchor>>>> = Object.freeze({
  'curation-easy': Object.freeze({
    clean: Object.freeze({ random: 0.9173749999999998, reference: 0.9582499999999995, oracle_uncertainty: 0.9582499999999995, oracle_diversity: 0.9366826923076915, n: 104 }),
    defaulting: Object.freeze({ random: 0.6846145833333335, reference: 0.7939375000000003, oracle_uncertainty: 0.76071875, oracle_diversity: 0.7939375000000003, n: 96 }),
  }),
  'curation-medium': Object.freeze({
    clean: Object.freeze({ random: 0.8962500000000002, reference: 0.9499230769230766, oracle_uncertainty: 0.9499230769230766, oracle_diversity: 0.9152211538461538, n: 104 }),
    defaulting: Object.freeze({ random: 0.676229166666667, reference: 0.7809895833333337, oracle_uncertainty: 0.7400937499999999, oracle_diversity: 0.7809895833333337, n: 96 }),
  }),
  'curation-hard': Object.freeze({
    clean: Object.freeze({ random: 0.8714230769230775, reference: 0.9357115384615385, oracle_uncertainty: 0.9357115384615385, oracle_diversity: 0.8911153846153852, n: 104 }),
    defaulting: Object.freeze({ random: 0.6637083333333333, reference: 0.7693541666666671, oracle_uncertainty: 0.7228645833333333, oracle_diversity: 0.7693541666666671, n: 96 }),
  }),
});
