/**
 * The curation grade (docs/curation.md): test accuracy normalised by the anchors of the episode's
 * task and regime; score clipped to [0, 1], passed at ≥ 0.5. The regime appears only here.
 */
import type { CurationTaskSpec } from '../tasks.ts';
import type { CurationGradeData, Grade } from '../types.ts';

export function curationGrade(task: CurationTaskSpec, data: CurationGradeData): Grade {
  const anchor = task.anchors[data.regime];
  const normalised = (data.test_accuracy - anchor.random) / (anchor.reference - anchor.random);
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
      ...(data.aubc === undefined ? {} : { aubc: data.aubc }),
      regime: data.regime,
    },
    ...(data.curve ? { learning_curve: { budget_used: data.curve.budget_used.slice(), test_accuracy: data.curve.test_accuracy.slice() } } : {}),
  };
}
