/**
 * The environment's results as each transport's reply (docs/protocol.md §4.6, §4.7, §7.4, §8.3): pure
 * functions, one per message, so a new reply field is added in one place for every transport.
 */
import type { EnvState, Observation, StepResult } from '../env/types.ts';
import { TOOL_NAMES, TOOL_SCHEMAS } from './wire.ts';
import type {
  EpisodeMetadata,
  EpisodeRecord,
  EpisodeSummary,
  ErrorCode,
  ErrorReason,
  GradeReply,
  HttpStepReply,
  ResetReply,
  StateReply,
  StepRecordReply,
  ToolError,
  ToolResult,
  ToolStepPayload,
  ValidationIssue,
  WsCallToolObservation,
  WsListToolsObservation,
  WsObservation,
} from './wire.ts';

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

/**
 * What an accepted step gave, in the order the `take_action` payload and the golden traces'
 * step records (docs/fixtures.md) both write it.
 */
export function stepOutcome(r: StepResult): Pick<StepResult, 'observation' | 'reward' | 'done' | 'terminated' | 'truncated' | 'info'> {
  return {
    observation: r.observation,
    reward: r.reward,
    done: r.done,
    terminated: r.terminated,
    truncated: r.truncated,
    info: r.info,
  };
}

/** The `take_action` tool payload. */
export function toolStepPayload(episodeId: string, r: StepResult, metadata: EpisodeMetadata): ToolStepPayload {
  return { episode_id: episodeId, step: r.step, ...stepOutcome(r), metadata };
}

export function stateReply(episodeId: string | null, state: EnvState): StateReply {
  return { episode_id: episodeId, ...state };
}

/** The reply to a `{"type": "list_tools"}` step: OpenEnv's ListToolsObservation. */
export function listToolsObservation(): WsListToolsObservation {
  const tools = TOOL_NAMES.map((name) => ({
    name,
    description: TOOL_SCHEMAS[name].description,
    input_schema: JSON.parse(JSON.stringify(TOOL_SCHEMAS[name].input)) as Record<string, unknown>,
  }));
  return { observation: { tools }, reward: null, done: false, metadata: {} };
}

/** What a `call_tool` step produced (the server's dispatcher fills it in). */
export type CallToolOutcome =
  | { kind: 'result'; result: ToolResult; payload: unknown; failure: { code: ErrorCode; reason: ErrorReason; issues: ValidationIssue[] } | null }
  | { kind: 'framework'; errorType: ToolError['error_type']; message: string; failure: { code: ErrorCode; reason: ErrorReason; issues: ValidationIssue[] } | null };

/** The reply to a `{"type": "call_tool"}` step: OpenEnv's CallToolObservation. */
export function callToolObservation(toolName: string, outcome: CallToolOutcome): WsCallToolObservation {
  const f = outcome.failure;
  const errorMetadata = f ? { error: f.issues.length > 0 ? { code: f.code, reason: f.reason, errors: f.issues } : { code: f.code, reason: f.reason } } : {};
  if (outcome.kind === 'framework') {
    return {
      observation: { tool_name: toolName, result: null, error: { error_type: outcome.errorType, message: outcome.message } },
      reward: null,
      done: false,
      metadata: errorMetadata,
    };
  }
  let reward: number | null = null;
  let done = false;
  let metadata: WsCallToolObservation['metadata'] = errorMetadata;
  if (f === null) {
    const payload = outcome.payload as { reward?: unknown; done?: unknown; metadata?: EpisodeMetadata };
    if (payload && typeof payload === 'object' && payload.metadata) metadata = payload.metadata;
    if (toolName === 'take_action') {
      reward = payload.reward as number;
      done = payload.done as boolean;
    }
  } else if (f.reason === 'episode_over') done = true;
  return { observation: { tool_name: toolName, result: outcome.result, error: null }, reward, done, metadata };
}

/** What §4.13's list and §4.14's detail show of a stored episode. */
export interface StoredEpisodeHeader {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  step_count: number;
  /** Epoch milliseconds. */
  finished_ms: number;
}

function episodeHeader(e: StoredEpisodeHeader) {
  return {
    episode_id: e.episode_id,
    task_id: e.task_id,
    seed: e.seed,
    label: e.label,
    step_count: e.step_count,
    finished_at: new Date(e.finished_ms).toISOString(),
  };
}

/** A row of GET /episodes. */
export function episodeSummaryReply(e: StoredEpisodeHeader, grade: GradeReply): EpisodeSummary {
  // Held-out graded episodes (curation, data-set) also carry their AUBC and learning curve, so a
  // list page is enough to summarise and chart them (the console's Compare groups).
  const aubc = grade.breakdown.aubc;
  return {
    ...episodeHeader(e),
    score: grade.score,
    passed: grade.passed,
    ...(typeof aubc === 'number' ? { aubc } : {}),
    ...(grade.learning_curve ? { learning_curve: grade.learning_curve } : {}),
  };
}

/** GET /episodes/{id}. */
export function episodeRecordReply(
  e: StoredEpisodeHeader & { initial_observation: Observation; steps: StepRecordReply[] },
  grade: GradeReply,
): EpisodeRecord {
  return { ...episodeHeader(e), initial_observation: e.initial_observation, steps: e.steps, grade };
}
