/**
 * The data-set tasks' grade (docs/datasets.md "Grade and anchors"): the final model's held-out
 * test accuracy normalised by the anchors of the task and the episode's (hidden) regime; score
 * clipped to [0, 1], passed at ≥ 0.5. The breakdown adds the AUBC, the grade the learning curve;
 * the regime appears only here, after the episode.
 */
import type { LearningCurve } from '../metrics/aubc.ts';
import type { DatasetTaskSpec } from '../tasks.ts';
import type { Grade } from '../types.ts';
import type { DatasetRegime } from './params.ts';

/** Computed from hidden data when the episode ends and stored with it; never in an observation. */
export interface DatasetGradeData {
  test_accuracy: number;
  regime: DatasetRegime;
  aubc: number;
  curve: LearningCurve;
}

/** The anchors' gap is floored here, so a set where random sampling is as good as the oracle still grades. */
export const MIN_ANCHOR_GAP = 0.01;

export function datasetGrade(task: DatasetTaskSpec, data: DatasetGradeData): Grade {
  const anchor = task.anchors[data.regime];
  const normalised = (data.test_accuracy - anchor.random) / Math.max(anchor.reference - anchor.random, MIN_ANCHOR_GAP);
  const score = Math.min(1, Math.max(0, normalised));
  return {
    task_id: task.id,
    score,
    passed: score >= task.passScoreAtLeast,
    breakdown: {
      test_accuracy: data.test_accuracy,
      normalised,
      anchor_random: anchor.random,
      anchor_reference: anchor.reference,
      aubc: data.aubc,
      regime: data.regime,
    },
    learning_curve: { budget_used: data.curve.budget_used.slice(), test_accuracy: data.curve.test_accuracy.slice() },
  };
}
