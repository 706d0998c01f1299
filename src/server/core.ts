/**
 * The environment service: every operation of the protocol, independent of transport. HTTP
 * routes, the WebSocket and the MCP tools call these and only translate requests and errors.
 * Checks follow PROTOCOL.md §4.7 everywhere: the request and its action first, then the episode.
 */
import { randomUUID } from 'node:crypto';
import { DataSelectEnv } from '../env/env.ts';
import { EnvError, MESSAGES, unknownTask } from '../env/errors.ts';
import { grade } from '../env/grader.ts';
import { ActionSchema } from '../env/spaces.ts';
import { TASK_IDS, TASKS, describeTask, getTask, successCriteria, DEFAULT_TASK } from '../env/tasks.ts';
import type { Action, Grade, StepResult } from '../env/types.ts';
import { EMPTY_STATE, resetReply, stateReply } from '../protocol/replies.ts';
import type { GradeReply, ResetReply, StateReply } from '../protocol/wire.ts';
import { LiveEpisode, type Owner } from './episodes.ts';
import type { ResetRequest } from '../protocol/requests.ts';
import type { SessionManager } from './sessions.ts';
import type { EpisodeStore, EpisodeSummary } from './store/types.ts';

export const ENV_NAME = 'DataSelectEnv';
export const API_VERSION = '1.0.0';

export type ResetBody = ResetReply;
export type StateBody = StateReply;
export type GradeBody = GradeReply;
export { EMPTY_STATE };

/** A step's target: a live episode object, or an id to look up (live pool or store). */
export type EpisodeRef = LiveEpisode | string;

const episodeNotFound = (id: string) =>
  new EnvError('NOT_FOUND', 'episode_not_found', `Episode '${id}' not found (unknown, finished long ago, evicted or expired).`);
const episodeOver = () => new EnvError('EXECUTION_ERROR', 'episode_over', MESSAGES.episodeOver);
const notFinished = () =>
  new EnvError('NOT_FOUND', 'episode_not_finished', 'episode_id not found or episode is not finished yet.');

function actionSchemaProperties(): Record<string, unknown> {
  return structuredClone(ActionSchema.properties) as Record<string, unknown>;
}

export class EnvService {
  readonly sessions: SessionManager;
  readonly store: EpisodeStore;
  private readonly now: () => number;
  private tasksBody: unknown = null;

  constructor(sessions: SessionManager, store: EpisodeStore, now: () => number = Date.now) {
    this.sessions = sessions;
    this.store = store;
    this.now = now;
  }

  /** `GET /tasks` (computed once: tasks are fixed). */
  tasks(): unknown {
    if (!this.tasksBody) {
      const actionSchema = actionSchemaProperties();
      this.tasksBody = {
        tasks: [...TASKS.values()].map((t) => ({
          task_id: t.id,
          difficulty: t.difficulty,
          description: describeTask(t),
          success_criteria: successCriteria(t),
          action_schema: actionSchema,
        })),
        action_schema: actionSchema,
      };
    }
    return structuredClone(this.tasksBody);
  }

  /**
   * Starts an episode. HTTP episodes join the pool (and move the most-recent pointer when asked:
   * only POST /reset does, §3.2); connection episodes belong to their connection.
   */
  reset(req: ResetRequest, owner: Owner, movePointer: boolean): { episode: LiveEpisode; body: ResetBody } {
    const taskId = req.task_id ?? DEFAULT_TASK;
    if (!getTask(taskId)) throw unknownTask(taskId, TASK_IDS);
    if (req.episode_id !== null && this.idInUse(req.episode_id)) {
      throw new EnvError('VALIDATION_ERROR', 'episode_exists', `episode_id '${req.episode_id}' is already in use.`);
    }
    const env = new DataSelectEnv();
    const { observation } = env.reset({ task: taskId, seed: req.seed });
    const episode = new LiveEpisode({
      id: req.episode_id ?? randomUUID(),
      label: req.label,
      owner,
      env,
      initialObservation: observation,
      now: this.now(),
    });
    if (owner.kind === 'http') {
      this.sessions.addHttpEpisode(episode);
      if (movePointer) this.sessions.mostRecentHttp = episode.id;
    } else {
      this.sessions.addConnectionEpisode(episode);
    }
    return { episode, body: resetReply(episode.id, taskId, observation) };
  }

  private idInUse(id: string): boolean {
    return this.sessions.getLive(id) !== undefined || this.store.has(id);
  }

  /**
   * Finds the live episode a step acts on, or throws. `ref` null means "no episode to act on"
   * (no_episode). A named id: live and steppable by the caller → the episode; finished (stored) →
   * episode_over; unknown, or live but owned by another connection → episode_not_found.
   * `implicit` ids (the most recent HTTP episode, an MCP session's current one) that are gone
   * answer no_episode instead of a 404, since the caller named nothing.
   */
  resolveForStep(ref: EpisodeRef | null, options: { callerSessionId?: string; implicit?: boolean; noEpisodeMessage?: string } = {}): LiveEpisode {
    const noEpisode = () => new EnvError('EXECUTION_ERROR', 'no_episode', options.noEpisodeMessage ?? MESSAGES.noEpisode);
    if (ref === null) throw noEpisode();
    if (typeof ref !== 'string') {
      if (ref.done) throw episodeOver();
      return ref;
    }
    const live = this.sessions.getLive(ref);
    if (live) {
      if (live.owner.kind === 'connection' && live.owner.sessionId !== options.callerSessionId) {
        if (options.implicit) throw noEpisode();
        throw episodeNotFound(ref);
      }
      if (live.done) throw episodeOver();
      return live;
    }
    if (this.store.has(ref) && this.store.getSummary(ref)) throw episodeOver();
    if (options.implicit) throw noEpisode();
    throw episodeNotFound(ref);
  }

  /**
   * Steps a resolved episode with a validated action. When the step ends the episode, the episode
   * is stored before this returns (D8), then leaves the live pool.
   */
  step(episode: LiveEpisode, action: Action): StepResult {
    const result = episode.step(action);
    this.sessions.touchEpisode(episode);
    if (result.done) this.finish(episode);
    return result;
  }

  private finish(episode: LiveEpisode): void {
    this.store.save(episode.toCompleted(this.now()));
    this.sessions.removeLive(episode.id);
  }

  /** Drops a connection's unfinished episode (its connection is gone or it reset). */
  discard(episode: LiveEpisode | null): void {
    if (episode && !episode.done) this.sessions.removeLive(episode.id);
  }

  stateOfLive(episode: LiveEpisode): StateBody {
    return stateReply(episode.id, episode.env.state());
  }

  /** State of any live or stored episode by id (§4.8); reading a live one counts as activity. */
  stateById(id: string): StateBody {
    const live = this.sessions.getLive(id);
    if (live) {
      this.sessions.touchEpisode(live);
      return this.stateOfLive(live);
    }
    const stored = this.store.getSummary(id);
    if (stored) return storedState(stored);
    throw episodeNotFound(id);
  }

  /** GET /state without an id: the most recent HTTP episode, or the all-null state. */
  stateOfMostRecent(): StateBody {
    const id = this.sessions.mostRecentHttp;
    if (id === null) return { ...EMPTY_STATE };
    try {
      return this.stateById(id);
    } catch (e) {
      if (e instanceof EnvError && e.reason === 'episode_not_found') return { ...EMPTY_STATE };
      throw e;
    }
  }

  /**
   * Grades a finished episode (§4.10). `taskId` null = the episode's own task (MCP). The reply
   * names the requested episode (D7).
   */
  grade(episodeId: string, taskId: string | null): GradeBody {
    if (taskId !== null && !getTask(taskId)) {
      throw new EnvError('VALIDATION_ERROR', 'invalid_task', `Unknown task_id '${taskId}'.`);
    }
    const stored = this.store.getSummary(episodeId);
    if (!stored) throw notFinished();
    const wanted = taskId ?? stored.task_id;
    if (wanted !== stored.task_id) {
      throw new EnvError(
        'VALIDATION_ERROR',
        'task_mismatch',
        `task_id mismatch: episode was '${stored.task_id}', got '${wanted}'.`,
      );
    }
    return gradeBody(stored);
  }
}

export function gradeBody(stored: EpisodeSummary): GradeBody {
  const task = getTask(stored.task_id);
  if (!task) throw new EnvError('EXECUTION_ERROR', 'internal', `stored episode has unknown task '${stored.task_id}'`);
  const g: Grade = grade(task, {
    task_id: stored.task_id,
    final_observation: stored.final_observation,
    noise_ratios: stored.noise_ratios,
  });
  return { episode_id: stored.episode_id, task_id: g.task_id, score: g.score, passed: g.passed, breakdown: g.breakdown };
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
