/**
 * Graders (docs/behaviour.md, "Graders and the baseline"): a finished episode's final observation and the noise ratios of its
 * selections become a score in [0, 1], a breakdown and a pass flag. Rounding is Python's
 * `round(x, 4)`; the easy score is deliberately left unrounded, as in the original.
 */
import { pairwiseSum } from '../numerics/reductions.ts';
import { pyRound } from '../numerics/py-round.ts';
import { curationGrade } from './curation/grader.ts';
import { datasetGrade, type DatasetGradeData } from './datasets/grader.ts';
import { EnvError } from './errors.ts';
import type { CurationGradeData, Grade, GradeInput } from './types.ts';
import type { TaskSpec } from './tasks.ts';

const clip01 = (x: number) => Math.min(Math.max(x, 0), 1);
const round4 = (x: number) => pyRound(x, 4);

function performanceScore(perf: number, [lo, hi]: readonly [number, number]): number {
  return clip01((perf - lo) / (hi - lo));
}

/** What an episode's own replies say of its grade (see `episodeGrade`). */
export interface EpisodeGrade {
  score: number;
  passed: boolean;
  breakdown?: Record<string, number>;
}

/**
 * The grade as the episode's own replies carry it (the final step's `metadata` on every transport):
 * the score and the pass flag (a function of the score) always; the breakdown only where it is
 * computed from what the agent saw. A curation or data-set breakdown reads the hidden truth (test accuracy,
 * the normalised score, the anchors of the hidden regime, the regime itself): it belongs to the
 * grader — POST /grader, the grade_episode tool and the after-the-fact episode records — alone.
 */
export function episodeGrade(task: TaskSpec, g: Grade): EpisodeGrade {
  if (task.family === 'curation' || task.family === 'dataset') return { score: g.score, passed: g.passed };
  // The classic terms are numbers (performance, noise, efficiency scores).
  const breakdown: Record<string, number> = {};
  for (const [k, v] of Object.entries(g.breakdown)) if (typeof v === 'number') breakdown[k] = v;
  return { score: g.score, passed: g.passed, breakdown };
}

/** Grades a finished episode by its task's rule (either family). */
export function grade(task: TaskSpec, input: GradeInput): Grade {
  if (task.family === 'curation' || task.family === 'dataset') {
    if (!input.grade_data) throw new EnvError('internal', `episode of ${task.id} has no grade data`);
    if (task.family === 'dataset') return datasetGrade(task, input.grade_data as DatasetGradeData);
    return curationGrade(task, input.grade_data as CurationGradeData);
  }
  const g = task.grader;
  const perf = input.final_observation.current_performance;
  switch (g.kind) {
    case 'performance': {
      const score = performanceScore(perf, g.performanceRange);
      return {
        task_id: task.id,
        score,
        passed: perf > g.passPerformanceAbove,
        breakdown: { performance_score: round4(score) },
      };
    }
    case 'performance_noise': {
      const ratios = input.noise_ratios;
      // No selection at all counts as the worst noise (the original's default).
      const avgNoise = ratios.length > 0 ? pairwiseSum(ratios) / ratios.length : 1.0;
      const perfScore = performanceScore(perf, g.performanceRange);
      const noiseScore = clip01(1.0 - avgNoise / g.noiseCeiling);
      return {
        task_id: task.id,
        score: round4(g.performanceWeight * perfScore + g.noiseWeight * noiseScore),
        passed: perf > g.passPerformanceAbove && avgNoise < g.passNoiseBelow,
        breakdown: {
          performance_score: round4(perfScore),
          noise_score: round4(noiseScore),
          avg_noise_ratio: round4(avgNoise),
        },
      };
    }
    case 'performance_efficiency': {
      const budgetUsed = task.budget - input.final_observation.remaining_budget;
      const perfScore = performanceScore(perf, g.performanceRange);
      const efficiency = clip01(1.0 - budgetUsed / task.budget);
      return {
        task_id: task.id,
        score: round4(g.performanceWeight * perfScore + g.efficiencyWeight * efficiency),
        passed: perf > g.passPerformanceAbove,
        breakdown: {
          performance_score: round4(perfScore),
          efficiency_score: round4(efficiency),
          budget_used: budgetUsed,
        },
      };
    }
  }
}
