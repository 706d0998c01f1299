/**
 * Wire shapes the console reads: the protocol module's types (type-only: nothing of src/ is
 * bundled into the console except the pure modules it imports by value).
 */
import type { Action, Observation, SelectionTerms, Strategy } from '../../src/env/types.ts';
import type {
  EpisodeRecord as WireEpisodeRecord,
  EpisodeSummary,
  GradeReply,
  StepRecordReply,
  TaskInfo,
  WsErrorData,
  WsObservation,
} from '../../src/protocol/wire.ts';

export type { Action, Observation, SelectionTerms, Strategy, EpisodeSummary };
export type Weights = Action['strategy_weights'];

/** Any step's terms, looked up by name (a selection's eight, or a stop's one). */
export type Terms = Partial<SelectionTerms> & { stop_reward?: number };

/** `data` of a WS `observation` reply (reset: step 0, reward 0, info {}). */
export type ObservationReply = WsObservation;
export type Grade = GradeReply;
export type Task = TaskInfo;
/** `info` is not promised by §4.14; read when a server includes it. */
export type EpisodeStep = StepRecordReply & { info?: { noise_ratio?: number } };
export type WsError = WsErrorData;
export type EpisodeRecord = Omit<WireEpisodeRecord, 'steps'> & { steps: EpisodeStep[] };
