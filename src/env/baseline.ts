/**
 * The original's baseline agent (docs/behaviour.md, "Graders and the baseline"): on each task, seed 42, the balanced action
 * `{uncertainty .4, diversity .4, random .2}` with batch 10 until done, graded. Runs in its own
 * episodes, so it never disturbs another (D9).
 */
import { pyRound } from '../numerics/py-round.ts';
import { BALANCED_ACTION } from './actions.ts';
import { DataSelectEnv } from './env.ts';
import { CLASSIC_TASK_IDS } from './tasks.ts';
import type { GradeBreakdown } from './types.ts';

export { BALANCED_ACTION };

export const BASELINE_SEED = 42;
export const BASELINE_AGENT_NAME = 'balanced (uncertainty=0.4, diversity=0.4, random=0.2)';

export interface BaselineTaskResult {
  score: number;
  passed: boolean;
  breakdown: GradeBreakdown;
  total_reward: number;
  final_performance: number;
}

export interface BaselineReport {
  baseline_agent: string;
  seed: number;
  results: Record<string, BaselineTaskResult>;
}

export function runBaselineTask(task: string, seed = BASELINE_SEED): BaselineTaskResult {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  let total = 0;
  let last;
  do {
    last = env.step(BALANCED_ACTION);
    total += last.reward;
  } while (!last.done);
  const g = env.grade();
  return {
    score: g.score,
    passed: g.passed,
    breakdown: g.breakdown,
    total_reward: pyRound(total, 4),
    final_performance: pyRound(last.observation.current_performance, 4),
  };
}

let cached: BaselineReport | null = null;

/** The `/baseline` report (deterministic, so computed once per process). */
export function runBaseline(): BaselineReport {
  if (!cached) {
    const results: Record<string, BaselineTaskResult> = {};
    for (const task of CLASSIC_TASK_IDS) results[task] = runBaselineTask(task);
    cached = { baseline_agent: BASELINE_AGENT_NAME, seed: BASELINE_SEED, results };
  }
  return structuredClone(cached);
}
