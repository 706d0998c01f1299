/**
 * The episode store: the durable action log of every episode and the history of finished ones.
 * SQLite (`sqlite.ts`) is the embedded default; any other backend (PostgreSQL) implements this
 * interface and passes the shared suite `test/server/store/suite.ts`.
 *
 * What the server relies on (the contract a backend must meet):
 *
 * 1. Every method returns a Promise; a backend may do its I/O asynchronously. The server never
 *    holds an episode's step open across two store calls: a step is one `appendStep` call.
 * 2. Durability: when a write resolves, what it wrote survives a crash of the server process
 *    (SQLite: a WAL commit; PostgreSQL: a committed transaction). A write that rejects wrote
 *    nothing (each write is atomic, including the last step together with the episode's finish).
 * 3. Identity: episode ids are compared exactly as stored. `createEpisode` with an id that names
 *    an episode still kept (unfinished and not expired, or finished and not evicted by retention)
 *    rejects with `StoreConflictError`; never silently keeps either row. A row that retention has
 *    already evicted in effect (past its age) is replaced.
 * 4. Optimistic concurrency: step rows are keyed (episode_id, index). `appendStep` rejects with
 *    `StoreConflictError` when that key exists, when the episode is already finished, or when the
 *    index is not the next one (another writer, e.g. another replica, got there first); it rejects
 *    with `StoreMissingError` when the episode row does not exist (never created, expired,
 *    evicted). The caller's in-memory copy is then stale: it reloads the log and retries.
 * 5. Failures are typed: `StoreUnavailableError` when the store cannot be reached or cannot write
 *    now (disk full, I/O error, read-only, connection lost: retrying later may work);
 *    `StoreCorruptError` when what is stored cannot be read back (damaged file or rows). The
 *    server answers both with 503 and never with 500. Other rejections are bugs.
 * 6. Reads see every write that resolved before them (from any process sharing the store).
 * 7. Numbers round-trip exactly (doubles as the shortest JSON text, or float8), so a replayed or
 *    regraded episode gives bit-identical results.
 * 8. `list` returns finished episodes only, newest first by (finished_ms, seq), `seq` being an
 *    integer the store assigns at creation that increases with creation order; `next` continues
 *    strictly after the last row returned.
 * 9. Retention applies to finished episodes (count, age) and to unfinished ones whose last write
 *    (reset or step) is older than the idle limit; evicted rows behave as unknown everywhere,
 *    even before `prune` deletes them.
 */
import type { ActionType, GradeData, Observation, RewardTerms } from '../../env/types.ts';

/** The action as accepted: the §2.2 fields only. */
export interface StoredAction {
  action_type: ActionType;
  batch_size: number;
  strategy_weights: Record<string, number>;
}

/** One accepted step, as §4.14 lists it (`t` is the step index, 1 for the first step). */
export interface StepRecord {
  t: number;
  action: StoredAction;
  reward: number;
  terms: RewardTerms;
  observation: Observation;
  done: boolean;
}

/** How an episode was started: `http` ones are continued by anyone naming them (HTTP or MCP
 * without a session), `connection` ones belong to one WebSocket connection at a time. */
export type EpisodeTransport = 'http' | 'connection';

/** The episode row written at reset. */
export interface EpisodeStart {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  transport: EpisodeTransport;
  /** Epoch milliseconds of the reset. */
  created_ms: number;
  initial_observation: Observation;
  /**
   * Id of the API key that started the episode (security/auth.ts `keyId`: a digest prefix, never
   * the key), null without keys. With EPISODE_ISOLATION only that key reads or lists it.
   */
  owner_key: string | null;
}

/** What finishing adds to the episode row (written with the last step, atomically). */
export interface EpisodeFinish {
  /** Epoch milliseconds when the episode finished. */
  finished_ms: number;
  final_observation: Observation;
  /** The medium grader's input, in step order, full precision. */
  noise_ratios: number[];
  /** Curation episodes: test accuracy and regime, computed when the episode ended; null otherwise. */
  grade_data?: GradeData | null;
}

/** A finished episode as the history and the graders read it. */
export interface CompletedEpisode {
  episode_id: string;
  task_id: string;
  seed: number;
  label: string | null;
  /** As in EpisodeStart. */
  owner_key: string | null;
  step_count: number;
  finished_ms: number;
  initial_observation: Observation;
  final_observation: Observation;
  noise_ratios: number[];
  /**
   * Curation episodes: the grade's hidden inputs (test accuracy, regime), computed when the
   * episode ended; null for the classic tasks. Never part of an observation.
   */
  grade_data?: GradeData | null;
  steps: StepRecord[];
}

/** A row of `GET /episodes` before grading (the grade is computed from the same record). */
export type EpisodeSummary = Omit<CompletedEpisode, 'initial_observation' | 'steps'>;

/** Any episode with its action log: what a server needs to rebuild an unfinished one by replay. */
export interface EpisodeLog extends EpisodeStart {
  /** Epoch ms of the last write (the reset or the latest step). */
  last_active_ms: number;
  /** Null while unfinished. */
  finish: EpisodeFinish | null;
  steps: StepRecord[];
}

export interface Cursor {
  finished_ms: number;
  seq: number;
}

export interface ListQuery {
  task_id?: string;
  /** Only episodes started with this key id (EPISODE_ISOLATION); absent = everyone's. */
  owner_key?: string | null;
  limit: number;
  /** Continue after this position (from a previous page's cursor). */
  before?: Cursor;
}

export interface ListPage {
  episodes: EpisodeSummary[];
  /** Position of the last row, when more rows may follow. */
  next: Cursor | null;
}

export interface EpisodeStore {
  /** `sqlite`, `postgres`, … (for messages and /health). */
  readonly kind: string;
  /** Where the store is, for messages: a file name, or a URL without its password. */
  readonly location: string;

  /** Writes the episode row at reset (contract 3). */
  createEpisode(episode: EpisodeStart): Promise<void>;
  /**
   * Appends accepted step `step.t` (contract 4); with `finish`, also finishes the episode in the
   * same atomic write (the last step of an episode).
   */
  appendStep(episodeId: string, step: StepRecord, finish: EpisodeFinish | null): Promise<void>;
  /**
   * Deletes an unfinished episode and its steps (its client abandoned it explicitly); resolves
   * false, deleting nothing, when the episode is finished or unknown.
   */
  discardUnfinished(episodeId: string): Promise<boolean>;
  /** Any kept episode (unfinished or finished) with all its steps in order; null if unknown. */
  getLog(episodeId: string): Promise<EpisodeLog | null>;
  /**
   * The steps of a kept episode with index above `afterT`, in order (usually none); null if the
   * episode is unknown. A process holding a copy of the episode reads this before stepping it
   * when other processes share the store (replicas, workers), and applies what it missed.
   */
  stepsAfter(episodeId: string, afterT: number): Promise<StepRecord[] | null>;
  /** A finished episode with its steps; null if unknown or unfinished. */
  getCompleted(episodeId: string): Promise<CompletedEpisode | null>;
  /** A finished episode without its steps (cheap: grading and state need only this). */
  getSummary(episodeId: string): Promise<EpisodeSummary | null>;
  /** Finished episodes, newest first (contract 8). */
  list(query: ListQuery): Promise<ListPage>;
  /** Finished episodes kept. */
  countFinished(): Promise<number>;
  /** Applies the retention rules now; resolves to how many episodes were deleted. */
  prune(nowMs?: number): Promise<number>;
  /** A small real write (and its removal): resolves when the store can write now. */
  probeWrite(): Promise<void>;
  /** `ok`, or the backend's description of the damage. */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}

export interface RetentionPolicy {
  /** Most finished episodes kept; 0 = unlimited. */
  maxCount: number;
  /** Oldest finished age kept, in seconds; 0 = unlimited. */
  maxAgeS: number;
  /** Unfinished episodes with no write for this long are expired, in seconds; 0 = kept. */
  unfinishedIdleS: number;
}

/** Base of the store's typed failures. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A write lost a race or reused a kept id (contract 3, 4): the server answers 409. */
export class StoreConflictError extends StoreError {}

/** The episode row is not there (contract 4). */
export class StoreMissingError extends StoreError {}

/** The store cannot be reached or cannot write now (contract 5): 503, retry later. */
export class StoreUnavailableError extends StoreError {}

/** Stored data cannot be read back (contract 5): 503 until the store is repaired. */
export class StoreCorruptError extends StoreError {}

/**
 * The store cannot be used at start (damaged, unreadable, unwritable, replaced): the server
 * prints `message` as one line and exits with code 2. The message names the file, the cause and
 * what to do.
 */
export class StoreOpenError extends StoreError {}
