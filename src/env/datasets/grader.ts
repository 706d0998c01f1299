/**
 * The data-set tasks' grade (docs/datasets.md "Grade and anchors"): the final model's held-out
 * test accuracy normalised by the anchors of the task and the episode's (hidden) regime; score
 * clipped to [0, 1], passed at ≥ 0.5. The breakdown adds the AUBC, the grade the learning curve;
 * the regime appears only here, after the episode.
 */
import { anchoredGrade } from '../anchored-grade.ts';
import type { DatasetTaskSpec } from '../tasks.ts';
import type { Grade, PoolGradeData } from '../types.ts';
import type { DatasetRegime } from './params.ts';

/** Computed from hidden data when the episode ends and stored with it; never in an observation. */
export type DatasetGradeData = PoolGradeData<DatasetRegime>;

/** The anchors' gap is floored here, so a set where random sampling is as good as the oracle still grades. */
export const MIN_ANCHOR_GAP = 0.01;

export function datasetGrade(task: DatasetTaskSpec, data: DatasetGradeData): Grade {
  return anchoredGrade(task, data, MIN_ANCHOR_GAP);
}
