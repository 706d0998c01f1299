/**
 * Wire shapes the console reads: the protocol module's types (type-only: nothing of src/ is
 * bundled into the console except the pure modules it imports by value), widened where the
 * curation family (CURATION.md §4–§6) adds to them.
 */
import type { Action, Observation as ClassicObservation, SelectionTerms, Strategy } from '../../src/env/types.ts';
import type {
  EpisodeRecord as WireEpisodeRecord,
  EpisodeSummary,
  GradeReply,
  StepRecordReply,
  TaskInfo,
  WsErrorData,
  WsObservation,
} from '../../src/protocol/wire.ts';

export type { Action, SelectionTerms, Strategy, EpisodeSummary };
export type Weights = Action['strategy_weights'];

/** One strategy's picks in the latest selection of a curation task (CURATION §4). */
export interface BatchStats {
  n: number;
  disagree: number;
  expected: number;
  /** Absent in `total`. */
  label_mean?: number;
  pred_mean?: number;
}

export interface LastBatch {
  uncertainty: BatchStats | null;
  diversity: BatchStats | null;
  random: BatchStats | null;
  total: BatchStats;
}

/** The curation family's keys beyond the classic five (CURATION §5). */
export interface CurationFields {
  validation_accuracy: number;
  step: number;
  steps_left: number;
  labelled: number;
  pool_uncertainty: number;
  last_batch: LastBatch | null;
}

/** Every family's observation has the classic five keys; the curation family adds its own. */
export type Observation = ClassicObservation & Partial<CurationFields>;

/** Any step's terms, looked up by name (a selection's, a stop's one, or a curation selection's one). */
export type Terms = Partial<SelectionTerms> & { stop_reward?: number; validation_gain?: number };

/** `data` of a WS `observation` reply (reset: step 0, reward 0, info {}). */
export type ObservationReply = Omit<WsObservation, 'observation' | 'info'> & {
  observation: Observation;
  info: { noise_ratio?: number; terms?: Terms; batch_size?: number; split?: Record<Strategy, number> };
};
/** Numbers, and strings such as the curation family's `regime`. */
export type Grade = Omit<GradeReply, 'breakdown'> & { breakdown: Record<string, number | string> };
export type Task = TaskInfo & {
  /** `classic` or `curation`, when the server lists it. */
  family?: string;
  /** Read when the server lists them; otherwise taken from the description (summary.ts). */
  max_steps?: number;
  budget?: number;
};
/** `info` is not promised by §4.14; read when a server includes it. */
export type EpisodeStep = Omit<StepRecordReply, 'observation' | 'terms'> & {
  observation: Observation;
  terms: Terms;
  info?: { noise_ratio?: number };
};
export type WsError = WsErrorData;
export type EpisodeRecord = Omit<WireEpisodeRecord, 'steps' | 'initial_observation' | 'grade'> & {
  initial_observation: Observation;
  steps: EpisodeStep[];
  grade: Grade;
};
