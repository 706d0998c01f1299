/**
 * The held-out grade both curation-style families use: the final model's test accuracy normalised
 * by the anchors of the task and the episode's (hidden) regime, `(acc − random) / (reference −
 * random)`, clipped to [0, 1] for the score. The breakdown reveals the regime — only after the
 * episode (docs/curation.md §6). A family may floor the anchors' gap (`minGap`); without one the
 * division is exactly the unfloored one.
 */
import type { LearningCurve } from './metrics/aubc.ts';
import type { Grade } from './types.ts';

export interface AnchoredTask<R extends string> {
  id: string;
  passScoreAtLeast: number;
  anchors: Readonly<Record<R, { random: number; reference: number }>>;
}

export interface AnchoredGradeData<R extends string> {
  test_accuracy: number;
  regime: R;
  /** Absent in curation episodes stored before the learning curve existed. */
  aubc?: number;
  curve?: LearningCurve;
}

export function anchoredGrade<R extends string>(task: AnchoredTask<R>, data: AnchoredGradeData<R>, minGap = -Infinity): Grade {
  const anchor = task.anchors[data.regime];
  const normalised = (data.test_accuracy - anchor.random) / Math.max(anchor.reference - anchor.random, minGap);
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
