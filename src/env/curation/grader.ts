/**
 * The curation grade (docs/curation.md): test accuracy normalised by the anchors of the episode's
 * task and regime; score clipped to [0, 1], passed at ≥ 0.5. The regime appears only here.
 */
import { anchoredGrade } from '../anchored-grade.ts';
import type { CurationTaskSpec } from '../tasks.ts';
import type { CurationGradeData, Grade } from '../types.ts';

export function curationGrade(task: CurationTaskSpec, data: CurationGradeData): Grade {
  return anchoredGrade(task, data);
}
