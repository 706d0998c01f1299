/**
 * The environment's contract, in one place (Gymnasium-style).
 *
 * An episode starts with `reset({ task, seed })` and advances with `step(action)` until it ends.
 * - `terminated`: the episode ended by its own rules — a `stop`, the budget reached 0, or the pool
 *   emptied.
 * - `truncated`: `max_steps` accepted steps were taken and the step did not terminate the episode.
 *   The two are never both true; `done = terminated || truncated` is the original's flag.
 * - `info` of a selection carries the original's three keys plus `terms`, the reward's named terms
 *   ("individual reward terms that are combined to produce the total reward"); a stop's info is `{}`.
 */
import type { DatasetGradeData } from './datasets/grader.ts';
import type { LearningCurve } from './metrics/aubc.ts';

import type { LibraryStrategyName, StrategyName } from './strategies/names.ts';

/** The classic tasks' three strategies (every strategy name: src/env/strategies/names.ts). */
export const STRATEGIES = ['uncertainty', 'diversity', 'random'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const ACTION_TYPES = ['select_batch', 'stop'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** An action as sent on the wire (after validation). Weight order is the object's key order. */
export interface Action {
  action_type: ActionType;
  batch_size: number;
  /** Weights by strategy name; which names a task accepts is the task's `strategies`. */
  strategy_weights: Partial<Record<StrategyName, number>>;
}

/** The classic tasks' observation: exactly these five keys (docs/protocol.md §2.1). Every family has them. */
export interface Observation {
  remaining_budget: number;
  diversity_score: number;
  noise_estimate: number;
  current_performance: number;
  samples_available: number;
}

/** One strategy's picks in the latest selection, measured with the model before it saw their labels. */
export interface StrategyBatchStats {
  n: number;
  /** Share of picks whose bought label differs from the model's predicted class. */
  disagree: number;
  /** Mean of min(p, 1 − p): the disagreement a calibrated model expects. */
  expected: number;
  /** Share of bought labels equal to 1. */
  label_mean: number;
  /** Mean predicted probability of class 1. */
  pred_mean: number;
}

export interface TotalBatchStats {
  n: number;
  disagree: number;
  expected: number;
}

/**
 * The original three are always present; a library strategy's key is present when the action
 * gave it a weight > 0 (null when it picked nothing, like the three).
 */
export type LastBatch = {
  uncertainty: StrategyBatchStats | null;
  diversity: StrategyBatchStats | null;
  random: StrategyBatchStats | null;
  total: TotalBatchStats;
} & Partial<Record<LibraryStrategyName, StrategyBatchStats | null>>;

/**
 * The observation of the curation and data-set families (docs/curation.md, docs/datasets.md): the
 * five classic keys, none computed from hidden truth, then the pool families' signals; a family
 * may add its own fields (the data-set family's `n_classes`, `class_counts`).
 */
export interface PoolObservation<Batch> extends Observation {
  validation_accuracy: number;
  step: number;
  steps_left: number;
  labelled: number;
  pool_uncertainty: number;
  last_batch: Batch | null;
}

/** The curation family's observation (docs/curation.md). */
export type CurationObservation = PoolObservation<LastBatch>;

export function isCurationObservation(o: Observation): o is CurationObservation {
  return 'last_batch' in o;
}

/**
 * The reward's named terms. `gain + budget_cost + redundancy_penalty + noise_penalty + step_bonus`
 * is the reward, summed in that order (the original's left-to-right expression). `gain` itself is
 * `(performance_gain + diversity_bonus) × gain_multiplier`. A stop has only `stop_reward`.
 */
export interface SelectionTerms {
  performance_gain: number;
  diversity_bonus: number;
  gain_multiplier: number;
  gain: number;
  budget_cost: number;
  redundancy_penalty: number;
  noise_penalty: number;
  step_bonus: number;
}
export interface StopTerms {
  stop_reward: number;
}
/** A curation selection's reward is one term: `10 · Δ current_performance`. */
export interface CurationSelectionTerms {
  validation_gain: number;
}
export type RewardTerms = SelectionTerms | StopTerms | CurationSelectionTerms;

export interface SelectionInfo {
  gain: number;
  redundancy: number;
  noise_ratio: number;
  terms: SelectionTerms;
}
/** A curation selection's info: the effective batch and the counts each strategy picked. */
export interface CurationSelectionInfo {
  batch_size: number;
  /** Counts per strategy: the original three always, a library strategy when weighted. */
  split: { uncertainty: number; diversity: number; random: number } & Partial<Record<LibraryStrategyName, number>>;
}
/** A data-set selection's info: the effective batch and the rows each named strategy picked. */
export interface DatasetSelectionInfo {
  batch_size: number;
  split: Record<string, number>;
}
export type StepInfo = SelectionInfo | CurationSelectionInfo | DatasetSelectionInfo | Record<string, never>;

/** What the samplers picked in one step (pool positions before the step), for diagnostics and replay. */
export interface SelectionDetail {
  pool_size_before: number;
  requested: number;
  effective: number;
  n_u: number;
  n_d: number;
  n_r: number;
  uncertainty_idx: number[];
  diversity_idx: number[];
  random_idx: number[];
  train_order: number[];
  /** Curation: the picks of each weighted library strategy (absent when none was weighted). */
  library_idx?: Partial<Record<LibraryStrategyName, number[]>>;
  /** Data-set tasks: each strategy's picks (pool positions before the step), in run order. */
  picks?: Record<string, number[]>;
}

export interface StepResult {
  observation: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  /** `terminated || truncated` (the original's flag). */
  done: boolean;
  /** Accepted steps so far, this one included. */
  step: number;
  info: StepInfo;
  /** The reward's terms (also inside `info.terms` for a selection). */
  terms: RewardTerms;
}

export interface ResetResult {
  observation: Observation;
  info: { task_id: string; seed: number };
}

/** The state of the environment's episode (the server adds `episode_id`). */
export interface EnvState {
  task_id: string | null;
  step_count: number;
  done: boolean;
  remaining_budget: number | null;
  current_performance: number | null;
  pool_size: number | null;
}

/** Numbers, and for the curation family the regime (revealed only here, after the episode). */
export type GradeBreakdown = Record<string, number | string>;

export interface Grade {
  task_id: string;
  score: number;
  passed: boolean;
  breakdown: GradeBreakdown;
  /** Curation and data-set tasks: held-out test accuracy after reset and after each selection (reporting only). */
  learning_curve?: LearningCurve;
}

/**
 * What a curation grade needs beyond the observations: computed from hidden data when the episode
 * ends and stored with it, never shown in an observation.
 */
/** A pool family's grade data: computed from hidden data when the episode ends, stored with it, never in an observation. */
export interface PoolGradeData<Regime extends string> {
  test_accuracy: number;
  regime: Regime;
  aubc: number;
  curve: LearningCurve;
}

export interface CurationGradeData {
  test_accuracy: number;
  regime: 'clean' | 'defaulting';
  /** Absent in episodes stored before the learning curve existed. */
  aubc?: number;
  curve?: LearningCurve;
}

/** Everything a grader needs from a finished episode. */
export interface GradeInput {
  task_id: string;
  final_observation: Observation;
  noise_ratios: number[];
  /** Curation episodes only (null for the classic tasks). */
  grade_data?: GradeData | null;
}

/** The hidden figures a finished curation or data-set episode is graded from. */
export type GradeData = CurationGradeData | DatasetGradeData;
