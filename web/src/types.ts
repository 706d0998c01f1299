/** Wire shapes the console reads (PROTOCOL §2, §4.9, §4.13, §4.14, §7.4). */

export type Strategy = 'uncertainty' | 'diversity' | 'random';
export type Weights = Partial<Record<Strategy, number>>;

export interface Action {
  action_type: 'select_batch' | 'stop';
  batch_size: number;
  strategy_weights: Weights;
}

export interface Observation {
  remaining_budget: number;
  diversity_score: number;
  noise_estimate: number;
  current_performance: number;
  samples_available: number;
}

/** Named reward terms of a selection step (signed; the five summands add up to the reward). */
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

export type Terms = Partial<SelectionTerms> & { stop_reward?: number };

export interface StepInfo {
  gain?: number;
  redundancy?: number;
  noise_ratio?: number;
  terms?: Terms;
}

/** `data` of a WS `observation` reply (reset: step 0, reward 0, info {}). */
export interface ObservationReply {
  episode_id: string;
  task_id: string;
  observation: Observation;
  reward: number;
  done: boolean;
  step: number;
  info: StepInfo;
  terminated: boolean;
  truncated: boolean;
}

export interface Grade {
  episode_id: string;
  task_id: string;
  score: number;
  passed: boolean;
  breakdown: Record<string, number>;
}

export interface Task {
  task_id: string;
  difficulty: string;
  description: string;
  success_criteria: string;
}

export interface EpisodeSummary {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  step_count: number;
  score: number;
  passed: boolean;
  finished_at: string;
}

export interface EpisodeStep {
  t: number;
  action: Action;
  reward: number;
  terms: Terms;
  observation: Observation;
  done: boolean;
  /** Not promised by §4.14; read when a server includes it. */
  info?: StepInfo;
}

export interface EpisodeRecord extends Omit<EpisodeSummary, 'score' | 'passed'> {
  initial_observation: Observation;
  steps: EpisodeStep[];
  grade: Grade;
}

export interface WsError {
  message: string;
  code: string;
  reason: string;
}
