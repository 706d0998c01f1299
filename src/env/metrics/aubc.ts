/**
 * The area under the budget curve (AUBC, docs/datasets.md "Learning curve and AUBC"): the
 * held-out test accuracy as a function of the labels bought, b ∈ [0, B] (B = the task's budget),
 * linear between the measured points (after reset, b = 0, and after every selection) and held at
 * the last accuracy from the last point to B (budget left unspent keeps the final model);
 *
 *   AUBC = (1/B) ∫₀^B acc(b) db   (trapezoids, plain sums in step order),
 *
 * so AUBC ∈ [0, 1] and a policy that reaches a given accuracy with fewer labels scores higher.
 * Reported only, after the episode: it is never part of an observation or a reward.
 */

/** AUBC of the curve (`budgetUsed[i]`, `accuracy[i]`), i in step order, `budgetUsed[0] = 0`. */
export function aubc(budgetUsed: readonly number[], accuracy: readonly number[], budget: number): number {
  const n = accuracy.length;
  if (n === 0) return 0;
  if (!(budget > 0)) return accuracy[n - 1];
  let area = 0;
  for (let i = 1; i < n; i++) {
    const lo = Math.min(budgetUsed[i - 1], budget);
    const hi = Math.min(budgetUsed[i], budget);
    area += ((hi - lo) * (accuracy[i - 1] + accuracy[i])) / 2;
  }
  const last = Math.min(budgetUsed[n - 1], budget);
  area += (budget - last) * accuracy[n - 1];
  return area / budget;
}

/** A finished episode's learning curve, as the grade reports it. */
export interface LearningCurve {
  /** Labels bought so far at each point (0 after reset). */
  budget_used: number[];
  /** Held-out test accuracy of the model at that point. */
  test_accuracy: number[];
}
