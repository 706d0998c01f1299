/**
 * The completed-episode store (BEHAVIOUR.md D8, PROTOCOL.md §3.1): what a finished episode leaves
 * behind, and the interface a backend implements. SQLite is the embedded default; a PostgreSQL
 * backend implements the same interface (its methods would become async behind a queue, which is
 * why callers treat the store as the single owner of finished episodes).
 */
import type { Observation, RewardTerms } from '../../env/types.ts';

/** One accepted step, as §4.14 lists it. */
export interface StepRecord {
  t: number;
  /** The action as accepted: the §2.2 fields only. */
  action: { action_type: string; batch_size: number; strategy_weights: Record<string, number> };
  reward: number;
  terms: RewardTerms;
  observation: Observation;
  done: boolean;
}

export interface CompletedEpisode {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  step_count: number;
  /** Epoch milliseconds when the episode finished. */
  finished_ms: number;
  initial_observation: Observation;
  final_observation: Observation;
  /** The medium grader's input, in step order, full precision. */
  noise_ratios: number[];
  steps: StepRecord[];
}

/** A row of `GET /episodes` before grading (the grade is computed from the same record). */
export type EpisodeSummary = Omit<CompletedEpisode, 'initial_observation' | 'steps'>;

export interface ListQuery {
  task_id?: string;
  limit: number;
  /** Continue after this position (from a previous page's cursor). */
  before?: { finished_ms: number; seq: number };
}

export interface ListPage {
  episodes: EpisodeSummary[];
  /** Position of the last row, when more rows may follow. */
  next: { finished_ms: number; seq: number } | null;
}

export interface EpisodeStore {
  /** Saves a finished episode; returns false when the id is already stored (nothing written). */
  save(episode: CompletedEpisode): boolean;
  get(episodeId: string): CompletedEpisode | null;
  /** Summary without the step records (cheap: grading and state need only this). */
  getSummary(episodeId: string): EpisodeSummary | null;
  has(episodeId: string): boolean;
  list(query: ListQuery): ListPage;
  count(): number;
  /** Applies the retention rules now; returns how many episodes were evicted. */
  prune(nowMs?: number): number;
  /** `ok` or the backend's description of the problem. */
  integrityCheck(): string;
  close(): void;
}

export interface RetentionPolicy {
  /** Most episodes kept; 0 = unlimited. */
  maxCount: number;
  /** Oldest age kept, in seconds; 0 = unlimited. */
  maxAgeS: number;
}
