/** Wire shapes the console reads (PROTOCOL §2, §4.9, §4.13, §4.14, §7.4). */

// The environment's own contract (type-only: nothing of src/ is bundled into the console).
import type { Action, Observation, SelectionTerms, Strategy } from '../../src/env/types.ts';

export type { Action, Observation, SelectionTerms, Strategy };
export type Weights = Action['strategy_weights'];

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
