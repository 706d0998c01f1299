/**
 * A live episode: one DataSelectEnv with the id the server gave it, its optional label, who owns
 * it (the HTTP pool, or one WebSocket connection) and the record of its accepted steps, which
 * becomes the stored episode the moment it finishes.
 */
import { DataSelectEnv } from '../env/env.ts';
import type { Action, Observation, StepResult } from '../env/types.ts';
import type { CompletedEpisode, StepRecord } from './store/types.ts';

/** `http` for the shared pool (steppable by anyone naming it), else the owning session's id. */
export type Owner = { kind: 'http' } | { kind: 'connection'; sessionId: string };

export class LiveEpisode {
  readonly id: string;
  readonly label: string | null;
  readonly owner: Owner;
  readonly env: DataSelectEnv;
  readonly taskId: string;
  readonly seed: number;
  readonly initialObservation: Observation;
  private readonly records: StepRecord[] = [];
  /** Last time a request named this episode (ms), for idle reaping of the HTTP pool. */
  lastActive: number;

  constructor(args: { id: string; label: string | null; owner: Owner; env: DataSelectEnv; initialObservation: Observation; now: number }) {
    this.id = args.id;
    this.label = args.label;
    this.owner = args.owner;
    this.env = args.env;
    this.taskId = args.env.task!.id;
    this.seed = args.env.seed!;
    this.initialObservation = args.initialObservation;
    this.lastActive = args.now;
  }

  get done(): boolean {
    return this.env.done;
  }

  get stepCount(): number {
    return this.records.length;
  }

  /** Steps the environment with an already validated action and records the step. */
  step(action: Action): StepResult {
    const result = this.env.step(action);
    this.records.push({
      t: result.step,
      // Only the §2.2 fields: other keys of the request (e.g. OpenEnv's metadata) were ignored.
      action: {
        action_type: action.action_type,
        batch_size: action.batch_size,
        strategy_weights: { ...(action.strategy_weights as Record<string, number>) },
      },
      reward: result.reward,
      terms: result.terms,
      observation: result.observation,
      done: result.done,
    });
    return result;
  }

  /** The stored form (call once the episode is done). */
  toCompleted(finishedMs: number): CompletedEpisode {
    const input = this.env.gradeInput();
    return {
      episode_id: this.id,
      task_id: this.taskId,
      seed: this.seed,
      label: this.label,
      step_count: this.records.length,
      finished_ms: finishedMs,
      initial_observation: this.initialObservation,
      final_observation: input.final_observation,
      noise_ratios: input.noise_ratios,
      steps: this.records.slice(),
    };
  }
}
