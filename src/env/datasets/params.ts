/**
 * The data-set family's fixed numbers and types (Node-free) (docs/datasets.md); task-specific numbers (data set, split,
 * budget, steps, anchors) are in the task registry.
 */
export const DATASET_FAMILY = Object.freeze({
  /** Softmax SGD: constant learning rate and passes over the labelled rows per fit. */
  eta0: 0.05,
  fitEpochs: 10,
  rewardScale: 10,
});

/** The seeds the shipped grade anchors are means over (src/env/datasets/anchors.ts). */
export const DATASET_ANCHOR_SEEDS = Object.freeze({ first: 1000, last: 1119 });

export const DATASET_REGIMES = ['clean', 'flips', 'defaulting'] as const;
export type DatasetRegime = (typeof DATASET_REGIMES)[number];

/** The split of a task: per class, `seedPerClass` seed candidates, then the fractions (rounded half up). */
export interface SplitSpec {
  seedPerClass: number;
  validationFraction: number;
  testFraction: number;
}

