/**
 * The environment's results as each transport's reply (PROTOCOL.md §4.6, §4.7, §7.4, §8.3): pure
 * functions, one per message, so a new reply field is added in one place for every transport.
 */
import type { EnvState, Observation, StepResult } from '../env/types.ts';
import type { EpisodeMetadata, HttpStepReply, ResetReply, StateReply, ToolStepPayload, WsObservation } from './wire.ts';

/** The State before any episode (§2.3). */
export const EMPTY_STATE: StateReply = Object.freeze({
  episode_id: null,
  task_id: null,
  step_count: 0,
  done: false,
  remaining_budget: null,
  current_performance: null,
  pool_size: null,
}) as StateReply;

export function resetReply(episodeId: string, taskId: string, observation: Observation, metadata: EpisodeMetadata): ResetReply {
  return { episode_id: episodeId, task_id: taskId, observation, reward: null, done: false, metadata };
}

/** POST /step: the reward in the original's `{value}` wrapper. */
export function httpStepReply(episodeId: string, r: StepResult, metadata: EpisodeMetadata): HttpStepReply {
  return {
    episode_id: episodeId,
    step: r.step,
    observation: r.observation,
    reward: { value: r.reward },
    done: r.done,
    info: r.info,
    terminated: r.terminated,
    truncated: r.truncated,
    metadata,
  };
}

/** The WebSocket reply to a reset: reward 0.0 (as the original sent), step 0, info {}. */
export function wsResetObservation(reset: ResetReply): WsObservation {
  return { ...reset, reward: 0.0, done: false, step: 0, info: {}, terminated: false, truncated: false, metadata: reset.metadata };
}

/** The WebSocket reply to a step: a bare-number reward. */
export function wsStepObservation(episodeId: string, taskId: string, r: StepResult, metadata: EpisodeMetadata): WsObservation {
  return {
    episode_id: episodeId,
    task_id: taskId,
    observation: r.observation,
    reward: r.reward,
    done: r.done,
    step: r.step,
    info: r.info,
    terminated: r.terminated,
    truncated: r.truncated,
    metadata,
  };
}

/** The `take_action` tool payload. */
export function toolStepPayload(episodeId: string, r: StepResult, metadata: EpisodeMetadata): ToolStepPayload {
  return {
    episode_id: episodeId,
    step: r.step,
    observation: r.observation,
    reward: r.reward,
    done: r.done,
    terminated: r.terminated,
    truncated: r.truncated,
    info: r.info,
    metadata,
  };
}

export function stateReply(episodeId: string | null, state: EnvState): StateReply {
  return { episode_id: episodeId, ...state };
}
