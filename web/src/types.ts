/**
 * Wire shapes the console reads: the protocol module's `Static<>` types and the environment's
 * (type-only imports: nothing of src/ is bundled into the console except the pure modules it
 * imports by value). Nothing is restated here; the few types below only merge the families'
 * unions into one shape whose family-specific keys are optional, so a panel can read any episode.
 */
import type {
  Action,
  CurationObservation,
  CurationSelectionInfo,
  CurationSelectionTerms,
  Observation as ClassicObservation,
  SelectionInfo,
  SelectionTerms,
  StopTerms,
  Strategy,
} from '../../src/env/types.ts';
import type { DatasetObservation } from '../../src/env/datasets/observation.ts';
import type {
  EpisodeRecord as WireEpisodeRecord,
  EpisodeSummary,
  GradeReply,
  StepRecordReply,
  TaskInfo,
  WsErrorData,
  WsObservation,
} from '../../src/protocol/wire.ts';

export type { Action, Strategy, EpisodeSummary };
export type Weights = Action['strategy_weights'];

/**
 * Any family's observation: the classic five keys, and the curation or data-set family's own when
 * present (`last_batch` is either family's: the data-set one keeps per-strategy stats under `strategies`).
 */
export type Observation = ClassicObservation &
  Partial<Omit<CurationObservation, keyof ClassicObservation | 'last_batch'>> &
  Partial<Pick<DatasetObservation, 'n_classes' | 'class_counts'>> & {
    last_batch?: CurationObservation['last_batch'] | DatasetObservation['last_batch'];
  };

/** Any step's terms, looked up by name (a classic selection's, a stop's, a curation selection's). */
export type Terms = Partial<SelectionTerms & StopTerms & CurationSelectionTerms>;

/** `data` of a WS `observation` reply (reset: step 0, reward 0, info {}). */
export type ObservationReply = Omit<WsObservation, 'observation' | 'info'> & {
  observation: Observation;
  info: Partial<SelectionInfo & CurationSelectionInfo>;
};
/** Scores and terms; a curation grade's breakdown also holds the regime (a string). */
export type Grade = GradeReply;
export type Task = TaskInfo;
export type EpisodeStep = Omit<StepRecordReply, 'observation' | 'terms'> & { observation: Observation; terms: Terms };
export type WsError = WsErrorData;
export type EpisodeRecord = Omit<WireEpisodeRecord, 'steps' | 'initial_observation'> & {
  initial_observation: Observation;
  steps: EpisodeStep[];
};
