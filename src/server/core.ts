/**
 * The environment service: every operation of the protocol, independent of transport. HTTP
 * routes, the WebSocket and the MCP tools call these and only translate requests and errors.
 * Checks follow docs/protocol.md §4.7 everywhere: the request and its action first, then the episode.
 */
import { randomUUID } from 'node:crypto';
import { makeEnv } from '../env/make.ts';
import { unknownTask } from '../env/errors.ts';
import { ApiError, WIRE_MESSAGES, fromEnvError } from '../protocol/errors.ts';
import { episodeGrade, grade } from '../env/grader.ts';
import { ActionSchema } from '../env/spaces.ts';
import { locate } from '../env/splits.ts';
import { TASK_IDS, TASKS, describeTask, getTask, observationSchemaOf, successCriteria, DEFAULT_SEED, DEFAULT_TASK } from '../env/tasks.ts';
import type { Action, Grade, StepResult } from '../env/types.ts';
import { EMPTY_STATE, resetReply, stateReply } from '../protocol/replies.ts';
import type { EpisodeMetadata, GradeReply, ResetReply, StateReply } from '../protocol/wire.ts';
import { LiveEpisode, ReplayMismatch, replayStep, sameAction, type Owner } from './episodes.ts';
import { within, type ResetRequest } from '../protocol/requests.ts';
import type { SessionManager } from './sessions.ts';
import { StoreHealth, type StoreLog } from './store/health.ts';
import {
  StoreConflictError,
  StoreCorruptError,
  StoreMissingError,
  StoreUnavailableError,
  type CompletedEpisode,
  type EpisodeLog,
  type EpisodeStore,
  type EpisodeSummary,
  type ListPage,
  type ListQuery,
} from './store/types.ts';

export const ENV_NAME = 'DataSelectEnv';
/**
 * The protocol's version: OpenAPI `info.version` only (OpenEnv's validator derives the profile
 * `openenv-http/1.x` from it). The implementation's version is PACKAGE_VERSION (src/version.ts).
 */
export const API_VERSION = '1.0.0';

export type ResetBody = ResetReply;
export type StateBody = StateReply;
export type GradeBody = GradeReply;
export { EMPTY_STATE };

/** A step's target: a live episode object, or an id to look up (live pool or store). */
export type EpisodeRef = LiveEpisode | string;

const episodeNotFound = (id: string) =>
  new ApiError('NOT_FOUND', 'episode_not_found', `Episode '${id}' not found (unknown, finished long ago, evicted or expired).`);
const episodeOver = () => new ApiError('EXECUTION_ERROR', 'episode_over', WIRE_MESSAGES.episodeOver);
const episodeExists = (id: string) => new ApiError('VALIDATION_ERROR', 'episode_exists', `episode_id '${id}' is already in use.`);
const storeUnavailable = () =>
  new ApiError('STORE_UNAVAILABLE', 'store_unavailable', 'The episode store cannot be used right now (logged); nothing was changed. Retry later.');
const storeCorrupt = () =>
  new ApiError('STORE_UNAVAILABLE', 'store_corrupt', 'The episode store is damaged and this episode cannot be read (logged); the operator must repair or restore it.');
const notFinished = () =>
  new ApiError('NOT_FOUND', 'episode_not_finished', 'episode_id not found or episode is not finished yet.');

function actionSchemaProperties(): Record<string, unknown> {
  return structuredClone(ActionSchema.properties) as Record<string, unknown>;
}

export class EnvService {
  readonly sessions: SessionManager;
  readonly store: EpisodeStore;
  readonly health: StoreHealth;
  private readonly now: () => number;
  private readonly log: StoreLog | null;
  /**
   * Other processes write this store too (replicas on PostgreSQL, `--workers` on SQLite): a held
   * HTTP episode may be behind the log, so it catches up before each step and /state reads the log.
   */
  readonly sharedStore: boolean;
  /** Names this process in /health. */
  readonly replicaId: string;
  private tasksBody: unknown = null;
  /** Loads in flight by episode id, so concurrent requests for one evicted episode replay it once. */
  private readonly loading = new Map<string, Promise<LiveEpisode | null>>();
  /**
   * EPISODE_ISOLATION: a caller's `principal` (its API key id) sees and acts on only the episodes
   * it started; others' answer as unknown. `principal` undefined = an in-process caller, unchecked.
   */
  isolation = false;
  /** Told of every accepted step (metrics); set by the app. */
  onStep: ((episode: LiveEpisode, result: StepResult) => void) | null = null;

  constructor(
    sessions: SessionManager,
    store: EpisodeStore,
    options: { now?: () => number; log?: StoreLog | null; sharedStore?: boolean; replicaId?: string } = {},
  ) {
    this.sharedStore = options.sharedStore ?? false;
    this.replicaId = options.replicaId ?? `${process.pid}`;
    this.sessions = sessions;
    this.store = store;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? null;
    this.health = new StoreHealth(store, this.log);
  }

  /**
   * Awaits a store call and maps its typed failures to the wire errors (503 for an unavailable or
   * damaged store, recorded in `health`); conflicts and misses are left to the caller.
   */
  private async stored<T>(call: Promise<T>, write: boolean): Promise<T> {
    try {
      const value = await call;
      if (write) this.health.wrote();
      return value;
    } catch (e) {
      if (e instanceof StoreUnavailableError) {
        this.health.failed(e);
        throw storeUnavailable();
      }
      if (e instanceof StoreCorruptError) {
        this.health.failed(e);
        throw storeCorrupt();
      }
      throw e;
    }
  }

  /** `GET /tasks` (computed once: tasks are fixed). */
  tasks(): unknown {
    if (!this.tasksBody) {
      const actionSchema = actionSchemaProperties();
      this.tasksBody = {
        tasks: [...TASKS.values()].map((t) => ({
          task_id: t.id,
          family: t.family,
          difficulty: t.difficulty,
          description: describeTask(t),
          success_criteria: successCriteria(t),
          budget: t.budget,
          max_steps: t.maxSteps,
          min_batch: t.minBatch,
          strategies: [...t.strategies],
          action_schema: actionSchema,
          observation_schema: JSON.parse(JSON.stringify(observationSchemaOf(t))),
        })),
        action_schema: actionSchema,
      };
    }
    return structuredClone(this.tasksBody);
  }

  /**
   * Starts an episode: its row is in the store before the reply (the action log starts here).
   * HTTP episodes join the pool (and move the most-recent pointer when asked: only POST /reset
   * does, §3.2); connection episodes belong to their connection.
   */
  /** True when isolation hides an episode owned by `ownerKey` from `principal`. */
  private hidden(ownerKey: string | null | undefined, principal: string | null | undefined): boolean {
    return this.isolation && principal !== undefined && (ownerKey ?? null) !== principal;
  }

  /** The implicit "most recent episode" of /step and /state: one per key under isolation. */
  mostRecentFor(principal: string | null | undefined): string | null {
    return this.sessions.mostRecent(this.isolation ? (principal ?? null) : null);
  }

  async reset(req: ResetRequest, owner: Owner, movePointer: boolean): Promise<{ episode: LiveEpisode; body: ResetBody }> {
    const taskId = req.task_id ?? DEFAULT_TASK;
    const seed = req.seed ?? DEFAULT_SEED;
    if (!getTask(taskId)) throw fromEnvError(unknownTask(taskId, TASK_IDS));
    if (req.episode_id !== null && this.sessions.getLive(req.episode_id) !== undefined) throw episodeExists(req.episode_id);
    const env = makeEnv(taskId);
    const { observation } = env.reset({ task: taskId, seed });
    const episode = new LiveEpisode({
      id: req.episode_id ?? randomUUID(),
      label: req.label,
      owner,
      env,
      initialObservation: observation,
      now: this.now(),
    });
    try {
      await this.stored(this.store.createEpisode(episode.startRecord()), true);
    } catch (e) {
      if (e instanceof StoreConflictError) throw episodeExists(episode.id);
      throw e;
    }
    if (owner.kind === 'http') {
      this.sessions.addHttpEpisode(episode, owner.client);
      if (movePointer) this.sessions.setMostRecent(this.isolation ? (owner.principal ?? null) : null, episode.id);
    } else {
      this.sessions.addConnectionEpisode(episode);
    }
    return { episode, body: resetReply(episode.id, taskId, observation, episodeMetadata(episode, null)) };
  }

  /** True when an unfinished episode last written at `lastMs` has passed the idle limit. */
  private idleExpired(lastMs: number): boolean {
    const limit = this.sessions.idleTimeoutMs;
    return limit > 0 && lastMs <= this.now() - limit;
  }

  /**
   * An HTTP episode that is not in memory (evicted from the cache, another replica's, or from
   * before a restart): its log is loaded and replayed, checked step by step, and the rebuilt
   * episode joins the pool. Null when the store has no unfinished HTTP episode of that id.
   */
  private loadHttpEpisode(id: string, known?: EpisodeLog): Promise<LiveEpisode | null> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = (async () => {
        const log = known ?? (await this.stored(this.store.getLog(id), false));
        if (!log || log.finish !== null || log.transport !== 'http' || this.idleExpired(log.last_active_ms)) return null;
        const again = this.sessions.getLive(id);
        if (again) return again;
        const episode = this.replay(log, { kind: 'http', principal: log.owner_key });
        this.sessions.addHttpEpisode(episode);
        return episode;
      })().finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private replay(log: EpisodeLog, owner: Owner): LiveEpisode {
    try {
      const episode = LiveEpisode.fromLog(log, owner, this.now());
      episode.lastActive = log.last_active_ms;
      return episode;
    } catch (e) {
      if (!(e instanceof ReplayMismatch)) throw e;
      this.log?.error({ episode_id: e.episodeId, reason: e.message }, 'stored episode does not replay');
      throw new ApiError('EXECUTION_ERROR', 'replay_mismatch', e.message);
    }
  }

  /**
   * Finds the live episode a step acts on, or throws. `ref` null means "no episode to act on"
   * (no_episode). A named id: live and steppable by the caller → the episode (loaded from the
   * store's log when this process does not hold it); finished (stored) → episode_over; unknown,
   * or owned by a WebSocket connection → episode_not_found. `implicit` ids (the most recent HTTP
   * episode, an MCP session's current one) that are gone answer no_episode instead of a 404,
   * since the caller named nothing.
   */
  async resolveForStep(
    ref: EpisodeRef | null,
    options: { callerSessionId?: string; implicit?: boolean; noEpisodeMessage?: string; principal?: string | null } = {},
  ): Promise<LiveEpisode> {
    const noEpisode = () => new ApiError('EXECUTION_ERROR', 'no_episode', options.noEpisodeMessage ?? WIRE_MESSAGES.noEpisode);
    const notYours = () => (options.implicit ? noEpisode() : episodeNotFound(ref as string));
    if (ref === null) throw noEpisode();
    if (typeof ref !== 'string') {
      if (ref.done) throw episodeOver();
      return ref;
    }
    const live = this.sessions.getLive(ref);
    if (live) {
      // A connection's episode, or one an MCP session started, is stepped only through its session.
      const sessionId = live.owner.sessionId;
      if ((live.owner.kind === 'connection' || sessionId !== undefined) && sessionId !== options.callerSessionId) throw notYours();
      if (this.hidden(live.owner.principal, options.principal)) throw notYours();
      if (live.done) throw episodeOver();
      return live;
    }
    const loaded = await this.loadHttpEpisode(ref);
    if (loaded) {
      if (this.hidden(loaded.owner.principal, options.principal)) throw notYours();
      return loaded;
    }
    const summary = await this.stored(this.store.getSummary(ref), false);
    if (summary && !this.hidden(summary.owner_key, options.principal)) throw episodeOver();
    if (options.implicit) throw noEpisode();
    throw episodeNotFound(ref);
  }

  /**
   * Steps a resolved episode with a validated action. The step is acknowledged only once its row
   * is in the store (with the finish, for the last step); if that write fails the step is rolled
   * back, so the same step can be sent again: 503 when the store is unavailable, 409 when another
   * writer (a replica, a second connection) recorded this step first — the in-memory copy is then
   * stale and leaves the cache, and a retry continues from the store's log.
   */
  step(episode: LiveEpisode, action: Action, options: { expectedStep?: number; actionLoc?: (string | number)[] } = {}): Promise<StepResult> {
    return episode.exclusive(async () => {
      if (this.sharedStore && episode.owner.kind === 'http') await this.catchUp(episode);
      const expected = options.expectedStep;
      if (expected !== undefined && expected !== episode.stepCount + 1) return this.retried(episode, action, expected);
      if (episode.done) throw episodeOver();
      // The environment checks the action against its task (e.g. the strategies it accepts); its
      // issues are located like the transport's own (`actionLoc`: where the action sits).
      const { result, record } = options.actionLoc ? within(options.actionLoc, () => episode.step(action)) : episode.step(action);
      const now = this.now();
      const finish = result.done ? episode.finishRecord(now) : null;
      try {
        await this.stored(this.store.appendStep(episode.id, record, finish), true);
      } catch (e) {
        episode.rollbackLast();
        if (e instanceof StoreConflictError || e instanceof StoreMissingError) {
          if (this.sessions.getLive(episode.id) === episode) this.sessions.removeLive(episode.id);
          if (e instanceof StoreMissingError) throw episodeNotFound(episode.id);
          throw new ApiError(
            'CONFLICT',
            'step_conflict',
            `Episode '${episode.id}' was advanced elsewhere (${e.message}); this step was not applied. Read its state and send the next step again.`,
          );
        }
        throw e;
      }
      episode.lastActive = now;
      this.onStep?.(episode, result);
      this.sessions.touchEpisode(episode);
      if (result.done) this.sessions.removeLive(episode.id);
      return result;
    });
  }

  /**
   * Brings a held copy up to the store's log (other processes may have stepped it): one read,
   * usually empty; missed steps are applied and checked. A copy the store no longer has, or whose
   * catch-up does not reproduce the stored results, leaves the cache.
   */
  private async catchUp(episode: LiveEpisode): Promise<void> {
    const missed = await this.stored(this.store.stepsAfter(episode.id, episode.stepCount), false);
    const drop = () => {
      if (this.sessions.getLive(episode.id) === episode) this.sessions.removeLive(episode.id);
    };
    if (missed === null) {
      drop();
      throw episodeNotFound(episode.id);
    }
    if (missed.length === 0) return;
    try {
      episode.applyLogged(missed);
    } catch (e) {
      drop();
      if (!(e instanceof ReplayMismatch)) throw e;
      this.log?.error({ episode_id: e.episodeId, reason: e.message }, 'stored episode does not replay');
      throw new ApiError('EXECUTION_ERROR', 'replay_mismatch', e.message);
    }
    if (episode.done) drop();
  }

  /**
   * A step request that names its step number (`step`) other than the next one: a retry of an
   * accepted step with the same action is answered with that step's result again (rebuilt from
   * the log, nothing applied twice); anything else is a conflict that changes nothing.
   */
  private retried(episode: LiveEpisode, action: Action, expected: number): StepResult {
    const at = episode.stepCount;
    if (expected > at + 1) {
      throw new ApiError('CONFLICT', 'step_conflict', `Episode '${episode.id}' is at step ${at}: step ${expected} cannot be the next one; nothing was applied.`);
    }
    const record = episode.recordAt(expected)!;
    if (!sameAction(record.action, action)) {
      throw new ApiError(
        'CONFLICT',
        'step_conflict',
        `Step ${expected} of episode '${episode.id}' was already applied with another action; nothing was applied. The episode is at step ${at}.`,
      );
    }
    return episode.resultOf(expected);
  }

  /**
   * A retry (`step` = N) of a step of an episode that is finished: N must be one of its steps,
   * with the same action; its result is rebuilt from the stored log.
   */
  async retriedFinished(episodeId: string, action: Action, expected: number): Promise<{ episode: LiveEpisode; result: StepResult }> {
    const log = await this.stored(this.store.getLog(episodeId), false);
    if (!log || log.finish === null) throw episodeNotFound(episodeId);
    const record = log.steps[expected - 1];
    if (!record) throw episodeOver();
    if (!sameAction(record.action, action)) {
      throw new ApiError(
        'CONFLICT',
        'step_conflict',
        `Step ${expected} of episode '${episodeId}' was already applied with another action; the episode is finished.`,
      );
    }
    try {
      const records = log.steps.slice(0, expected);
      const { env, result } = replayStep(episodeId, log.task_id, log.seed, records);
      // A read-only copy for the reply's metadata; it joins no pool.
      const episode = new LiveEpisode({
        id: log.episode_id,
        label: log.label,
        owner: { kind: 'http' },
        env,
        initialObservation: log.initial_observation,
        now: this.now(),
        records,
        createdMs: log.created_ms,
      });
      return { episode, result };
    } catch (e) {
      if (!(e instanceof ReplayMismatch)) throw e;
      throw new ApiError('EXECUTION_ERROR', 'replay_mismatch', e.message);
    }
  }


  /**
   * A new connection takes over an unfinished WebSocket episode whose connection is gone (§7
   * resume): the episode must have been started on a WebSocket (/ws or WebSocket /mcp), be
   * unfinished, within the idle limit, and not held by a live connection of this server. Its log
   * is replayed and checked like an HTTP episode's.
   */
  async resume(id: string, sessionId: string, principal?: string | null): Promise<LiveEpisode> {
    const live = this.sessions.getLive(id);
    if (live && this.hidden(live.owner.principal, principal)) throw episodeNotFound(id);
    if (live) {
      if (live.owner.kind === 'connection' && live.owner.sessionId === sessionId) return live;
      throw new ApiError(
        'CONFLICT',
        'episode_in_use',
        live.owner.kind === 'http'
          ? `Episode '${id}' is an HTTP episode: continue it with POST /step and its episode_id.`
          : `Episode '${id}' is held by another open connection; only an episode whose connection is gone can be resumed.`,
      );
    }
    const log = await this.stored(this.store.getLog(id), false);
    if (!log || this.hidden(log.owner_key, principal)) throw episodeNotFound(id);
    if (log.finish !== null) throw episodeOver();
    if (log.transport === 'http') {
      throw new ApiError('CONFLICT', 'episode_in_use', `Episode '${id}' is an HTTP episode: continue it with POST /step and its episode_id.`);
    }
    if (this.idleExpired(log.last_active_ms)) throw episodeNotFound(id);
    if (this.sessions.getLive(id)) return this.resume(id, sessionId, principal);
    const episode = this.replay(log, { kind: 'connection', sessionId, principal: log.owner_key });
    this.sessions.addConnectionEpisode(episode);
    return episode;
  }

  /**
   * Drops a connection's unfinished episode from memory: its connection dropped, so its log stays
   * in the store and a new connection may resume it.
   */
  release(episode: LiveEpisode | null): void {
    if (episode && !episode.done && this.sessions.getLive(episode.id) === episode) this.sessions.removeLive(episode.id);
  }

  /**
   * Ends a connection's unfinished episode for good: its client reset over it or sent `close`.
   * The log is deleted too (a failure only delays that to retention).
   */
  abandon(episode: LiveEpisode | null): void {
    if (!episode || episode.done) return;
    this.release(episode);
    this.store.discardUnfinished(episode.id).catch((err) => this.log?.warn({ err, episode_id: episode.id }, 'abandoned episode not deleted from the store'));
  }

  stateOfLive(episode: LiveEpisode): StateBody {
    return stateReply(episode.id, episode.env.state());
  }

  /**
   * State of any live or stored episode by id (§4.8). An unfinished one that this process does
   * not hold is rebuilt from its log first (checked like a step's: a log that does not replay is
   * refused, never shown); HTTP ones then join the cache, connection ones stay their owner's.
   */
  async stateById(id: string, principal?: string | null): Promise<StateBody> {
    const live = this.sessions.getLive(id);
    if (live && this.hidden(live.owner.principal, principal)) throw episodeNotFound(id);
    if (live) {
      // A held HTTP episode may be behind a shared store: it catches up from the log first.
      if (this.sharedStore && live.owner.kind === 'http') await live.exclusive(() => this.catchUp(live));
      return this.stateOfLive(live);
    }
    const log = await this.stored(this.store.getLog(id), false);
    if (!log || this.hidden(log.owner_key, principal) || (log.finish === null && this.idleExpired(log.last_active_ms))) {
      throw episodeNotFound(id);
    }
    if (log.finish === null) {
      const rebuilt = log.transport === 'http' ? await this.loadHttpEpisode(id, log) : this.replay(log, { kind: 'connection', sessionId: '', principal: log.owner_key });
      if (!rebuilt) throw episodeNotFound(id);
      return this.stateOfLive(rebuilt);
    }
    const last = log.finish.final_observation;
    return stateReply(log.episode_id, {
      task_id: log.task_id,
      step_count: log.steps.length,
      done: true,
      remaining_budget: last.remaining_budget,
      current_performance: last.current_performance,
      pool_size: last.samples_available,
    });
  }

  /** GET /state without an id: the most recent HTTP episode, or the all-null state. */
  async stateOfMostRecent(principal?: string | null): Promise<StateBody> {
    const id = this.mostRecentFor(principal);
    if (id === null) return { ...EMPTY_STATE };
    try {
      return await this.stateById(id, principal);
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'episode_not_found') return { ...EMPTY_STATE };
      throw e;
    }
  }

  /**
   * Why a finished episode cannot be read: it is still running (`episode_not_finished`), or no
   * episode has that id (`episode_not_found`: unknown, evicted or reaped). Both are 404.
   */
  notFinishedError(episodeId: string): ApiError {
    return this.sessions.getLive(episodeId) ? notFinished() : episodeNotFound(episodeId);
  }

  /**
   * Grades a finished episode (§4.10). `taskId` null = the episode's own task (MCP). The reply
   * names the requested episode (D7).
   */
  async grade(episodeId: string, taskId: string | null, principal?: string | null): Promise<GradeBody> {
    if (taskId !== null && !getTask(taskId)) {
      throw new ApiError('VALIDATION_ERROR', 'invalid_task', `Unknown task_id '${taskId}'.`);
    }
    const stored = await this.stored(this.store.getSummary(episodeId), false);
    if (!stored || this.hidden(stored.owner_key, principal)) throw this.notFinishedError(episodeId);
    const wanted = taskId ?? stored.task_id;
    if (wanted !== stored.task_id) {
      throw new ApiError(
        'VALIDATION_ERROR',
        'task_mismatch',
        `task_id mismatch: episode was '${stored.task_id}', got '${wanted}'.`,
      );
    }
    return gradeBody(stored);
  }

  /** Finished episodes, newest first (§4.13). */
  listEpisodes(query: ListQuery, principal?: string | null): Promise<ListPage> {
    const own = this.isolation && principal !== undefined ? { ...query, owner_key: principal } : query;
    return this.stored(this.store.list(own), false);
  }

  /** One finished episode with its steps (§4.14). */
  async completedEpisode(episodeId: string, principal?: string | null): Promise<CompletedEpisode> {
    const e = await this.stored(this.store.getCompleted(episodeId), false);
    if (!e || this.hidden(e.owner_key, principal)) throw this.notFinishedError(episodeId);
    return e;
  }
}

/** `metadata` of a reset (result null) or of a step's reply (of any episode: live or the bench's bare server's). */
export function episodeMetadata(episode: Pick<LiveEpisode, 'id' | 'taskId' | 'seed' | 'env'>, result: StepResult | null): EpisodeMetadata {
  const where = locate(episode.taskId, episode.seed);
  const m: EpisodeMetadata = {
    episode_id: episode.id,
    task_id: episode.taskId,
    seed: episode.seed,
    split: where?.split ?? null,
    index: where?.index ?? null,
    step: result?.step ?? 0,
  };
  if (result) {
    m.reward_terms = result.terms;
    m.terminated = result.terminated;
    m.truncated = result.truncated;
    if (result.done) {
      const task = getTask(episode.taskId)!;
      m.grade = episodeGrade(task, grade(task, episode.env.gradeInput()));
    }
  }
  return m;
}

export function gradeBody(stored: EpisodeSummary): GradeBody {
  const task = getTask(stored.task_id);
  if (!task) throw new ApiError('EXECUTION_ERROR', 'internal', `stored episode has unknown task '${stored.task_id}'`);
  const g: Grade = grade(task, {
    task_id: stored.task_id,
    final_observation: stored.final_observation,
    noise_ratios: stored.noise_ratios,
    grade_data: stored.grade_data ?? null,
  });
  return {
    episode_id: stored.episode_id,
    task_id: g.task_id,
    score: g.score,
    passed: g.passed,
    breakdown: g.breakdown,
    ...(g.learning_curve ? { learning_curve: g.learning_curve } : {}),
  };
}

export function storedState(stored: EpisodeSummary): StateBody {
  return {
    episode_id: stored.episode_id,
    task_id: stored.task_id,
    step_count: stored.step_count,
    done: true,
    remaining_budget: stored.final_observation.remaining_budget,
    current_performance: stored.final_observation.current_performance,
    pool_size: stored.final_observation.samples_available,
  };
}
