/**
 * What every task family's environment does the same way with its current episode: the state
 * reply, the episode accessors, the RNG fingerprint and the "no episode yet" refusal. Each family
 * (classic, curation, data set) keeps its own episode record, observation and step; only the
 * fields named in `EpisodeCore` are read here, so this never touches a hot path's layout.
 */
import type { RngFingerprint } from '../numerics/random-state.ts';
import { EnvError, MESSAGES } from './errors.ts';
import type { EnvState } from './types.ts';

/** The fields of an episode record that the shared accessors read. */
export interface EpisodeCore<Task extends { id: string }> {
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

export abstract class EpisodeEnv<Task extends { id: string }, Episode extends EpisodeCore<Task>, Observation> {
  protected episode: Episode | null = null;

  /** The observation of the current episode (called only while there is one). */
  protected abstract observation(): Observation;

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
