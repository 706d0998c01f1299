/**
 * The in-process adapter: DataSelectEnv behind the asynchronous `Environment` interface, so code
 * written for a server runs against the local engine with no server at all (and vice versa).
 */
import { randomUUID } from 'node:crypto';
import { makeEnv, type TaskEnv } from '../env/make.ts';
import { selectFromSplit } from '../env/splits.ts';
import { DEFAULT_SEED, DEFAULT_TASK, getTask } from '../env/tasks.ts';
import type { Action } from '../env/types.ts';
import { ClientError, translateEnvErrors } from '../api/errors.ts';
import type { Environment, EpisodeStart, EpisodeState, GradeResult, ResetParams, StepOutcome } from '../api/environment.ts';

export class InProcessEnvironment implements Environment {
  readonly transport = 'inprocess' as const;
  /** The current family's environment (replaced when a reset names a task of another family). */
  private env: TaskEnv | null = null;
  /** In process there is no server to name episodes, so ids are generated here to keep one shape. */
  private episodeId: string | null = null;

  async reset(params: ResetParams = {}): Promise<EpisodeStart> {
    // A split entry decides task and seed, by the same rule the server applies.
    if (params.index !== undefined && params.split === undefined) {
      throw new ClientError('VALIDATION_ERROR', 'invalid_request', 'index needs a split (e.g. split: "test")');
    }
    const chosen =
      params.split === undefined
        ? { task: params.task, seed: params.seed }
        : translateEnvErrors(() => {
            const e = selectFromSplit(params.split!, { index: params.index ?? null, taskId: params.task ?? null, seed: params.seed ?? null }, { task: DEFAULT_TASK, seed: DEFAULT_SEED });
            return { task: e.task_id, seed: e.seed };
          });
    const r = translateEnvErrors(() => {
      const taskId = chosen.task ?? DEFAULT_TASK;
      const family = getTask(taskId)?.family;
      if (!this.env || (family !== undefined && this.env.task?.family !== family)) {
        const env = makeEnv(taskId);
        const started = env.reset({ task: taskId, seed: chosen.seed });
        this.env = env;
        return started;
      }
      return this.env.reset({ task: taskId, seed: chosen.seed });
    });
    this.episodeId = params.episode_id ?? randomUUID();
    return { episode_id: this.episodeId, task_id: r.info.task_id, observation: r.observation };
  }

  async step(action: Action): Promise<StepOutcome> {
    const r = translateEnvErrors(() => this.current().step(action));
    return {
      episode_id: this.episodeId ?? '',
      step: r.step,
      observation: r.observation,
      reward: r.reward,
      terminated: r.terminated,
      truncated: r.truncated,
      done: r.done,
      info: r.info,
    };
  }

  async state(): Promise<EpisodeState> {
    if (!this.env) return { episode_id: null, task_id: null, step_count: 0, done: false, remaining_budget: null, current_performance: null, pool_size: null };
    return { episode_id: this.episodeId, ...this.env.state() };
  }

  async grade(): Promise<GradeResult> {
    if (this.episodeId === null) {
      throw new ClientError('EXECUTION_ERROR', 'no_episode', 'No episode to grade: call reset() first.');
    }
    const g = translateEnvErrors(() => this.current().grade());
    return { episode_id: this.episodeId, ...g };
  }

  private current(): TaskEnv {
    if (!this.env) throw new ClientError('EXECUTION_ERROR', 'no_episode', 'No active episode: call reset() first.');
    return this.env;
  }

  async close(): Promise<void> {}
}
