/**
 * What every task family's environment does the same way with its current episode: the reset's
 * task and seed, the order of a step's checks, the state reply, the episode accessors, the RNG
 * fingerprint and the "no episode yet" refusal. Each family (classic, curation, data set) keeps
 * its own episode record, observation, stop and selection; only the fields named in `EpisodeCore`
 * are read here, so this never touches a hot path's layout.
 */
import type { RngFingerprint } from '../numerics/random-state.ts';
import { EnvError, MESSAGES, unknownTask, wrongFamily } from './errors.ts';
import { parseAction, parseSeed, parseTaskField } from './schemas.ts';
import { DEFAULT_SEED, TASK_IDS, getTask, type TaskSpec } from './tasks.ts';
import type { Action, EnvState, SelectionDetail, StepInfo, RewardTerms, StepResult } from './types.ts';

/** The fields of an episode record that the shared accessors read. */
export interface EpisodeCore<Task extends TaskSpec> {
  task: Task;
  seed: number;
  steps: number;
  budget: number;
  performance: number;
  poolSize: number;
  terminated: boolean;
  truncated: boolean;
  rng: { fingerprint(): RngFingerprint };
}

export interface ResetOptions {
  task?: string | null;
  /** 0 … 2^32−1, as a number or a digit string (D13); default 42. */
  seed?: number | string | null;
}

/**
 * The task and seed a reset names: the task field (default `defaultTask`), the seed (default 42),
 * then the registry — an unknown task, or one of another family than `family`, is refused.
 */
export function resolveReset<Task extends TaskSpec>(
  options: ResetOptions,
  defaultTask: string,
  family: Task['family'],
  envClass: string,
): { task: Task; seed: number } {
  const taskId = parseTaskField(options.task, defaultTask);
  const seed = parseSeed(options.seed, DEFAULT_SEED);
  const task = getTask(taskId);
  if (!task) throw unknownTask(taskId, TASK_IDS);
  // Each family has its own environment class (`makeEnv` picks it).
  if (task.family !== family) throw wrongFamily(taskId, task.family, envClass);
  return { task: task as Task, seed };
}

/** A step's result from the episode's flags after the step. */
export function stepResult(
  observation: StepResult['observation'],
  reward: number,
  ep: { steps: number; terminated: boolean; truncated: boolean },
  info: StepInfo,
  terms: RewardTerms,
): StepResult {
  return {
    observation,
    reward,
    terminated: ep.terminated,
    truncated: ep.truncated,
    done: ep.terminated || ep.truncated,
    step: ep.steps,
    info,
    terms,
  };
}

/**
 * The `lastSelection` record of a selection by the original three samplers: their counts, their
 * picks (pool positions before the step) and the training order (empty where it is pick order).
 */
export function threeWayDetail(
  poolSizeBefore: number,
  requested: number,
  effective: number,
  counts: { uncertainty: number; diversity: number; random: number },
  picks: { uncertainty: ArrayLike<number>; diversity: ArrayLike<number>; random: ArrayLike<number> },
  trainOrder: ArrayLike<number> = [],
): SelectionDetail {
  return {
    pool_size_before: poolSizeBefore,
    requested,
    effective,
    n_u: counts.uncertainty,
    n_d: counts.diversity,
    n_r: counts.random,
    uncertainty_idx: Array.from(picks.uncertainty),
    diversity_idx: Array.from(picks.diversity),
    random_idx: Array.from(picks.random),
    train_order: Array.from(trainOrder),
  };
}

export abstract class EpisodeEnv<Task extends TaskSpec, Episode extends EpisodeCore<Task>, Observation> {
  protected episode: Episode | null = null;
  /** The samplers' picks of the last selection step (only when the environment records them). */
  lastSelection: SelectionDetail | null = null;

  /** The observation of the current episode (called only while there is one). */
  protected abstract observation(): Observation;
  /** A stop of the current, running episode. */
  protected abstract stop(ep: Episode): StepResult;
  /** A selection of the current, running episode (the action is valid). */
  protected abstract select(ep: Episode, action: Action): StepResult;

  /** The strategies an action may weight (default: the current task's; all of them before a reset). */
  protected allowedStrategies(): readonly string[] | undefined {
    return this.episode?.task.strategies;
  }

  /**
   * Applies an action. Order of checks (docs/protocol.md §4.7): the action itself (422-class
   * `invalid_action`), then the episode (`no_episode`, `episode_over`). A refused action changes
   * nothing, not even the random stream.
   */
  step(rawAction: unknown): StepResult {
    const action = parseAction(rawAction, this.allowedStrategies());
    const ep = this.current();
    if (ep.terminated || ep.truncated) throw new EnvError('episode_over', MESSAGES.episodeOver);
    return action.action_type === 'stop' ? this.stop(ep) : this.select(ep, action);
  }

  /** The episode, or the environment's refusal when `reset()` has not been called yet. */
  protected current(): Episode {
    const ep = this.episode;
    if (!ep) throw new EnvError('no_episode', MESSAGES.noEpisode);
    return ep;
  }

  /** The current observation, or null before the first reset. */
  currentObservation(): Observation | null {
    return this.episode ? this.observation() : null;
  }

  /** The episode's state (GET /state without the id, which the transport adds). */
  state(): EnvState {
    const ep = this.episode;
    if (!ep) {
      return { task_id: null, step_count: 0, done: false, remaining_budget: null, current_performance: null, pool_size: null };
    }
    return {
      task_id: ep.task.id,
      step_count: ep.steps,
      done: ep.terminated || ep.truncated,
      remaining_budget: ep.budget,
      current_performance: ep.performance,
      pool_size: ep.poolSize,
    };
  }

  get hasEpisode(): boolean {
    return this.episode !== null;
  }

  get done(): boolean {
    return this.episode !== null && (this.episode.terminated || this.episode.truncated);
  }

  get task(): Task | null {
    return this.episode?.task ?? null;
  }

  get seed(): number | null {
    return this.episode?.seed ?? null;
  }

  /** The episode RNG's fingerprint (replay checks it after every step), null before a reset. */
  rngFingerprint(): RngFingerprint | null {
    return this.episode?.rng.fingerprint() ?? null;
  }
}
