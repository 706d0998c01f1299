/**
 * The one asynchronous interface every way of running DataSelectEnv implements: the in-process
 * adapter, the HTTP client and the WebSocket client. A policy or agent written against
 * `Environment` runs unchanged against any of them.
 *
 * It lives in src/api with `ClientError`, apart from the implementations (src/client), so that
 * what runs against an Environment (src/eval, src/replay, src/agent) imports the contract without
 * importing the clients, and the clients' entry point can re-export eval without a cycle.
 */
import type { Action, EnvState, Grade, Observation, StepInfo } from '../env/types.ts';

export interface ResetParams {
  /** Task id (`easy`, `medium`, `hard`); the environment's default when absent. */
  task?: string;
  /** 0 … 2^32−1; the environment's default (42) when absent. */
  seed?: number;
  /** Free name stored with the episode on a server (≤ 64 characters); ignored in process. */
  label?: string;
  /** A Task API split (`train`, `validation`, `test`) and an entry of it: fix task and seed. */
  split?: string;
  index?: number;
  /** A caller-chosen episode id (servers only; 409 if already used). */
  episode_id?: string;
}

export interface EpisodeStart {
  episode_id: string;
  task_id: string;
  observation: Observation;
}

/** One step's outcome, the same shape whatever the transport (the HTTP `{value}` reward is unwrapped). */
export interface StepOutcome {
  episode_id: string;
  /** Accepted steps so far, this one included. */
  step: number;
  observation: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  done: boolean;
  info: StepInfo;
}

export interface EpisodeState extends EnvState {
  episode_id: string | null;
}

export interface GradeResult extends Grade {
  episode_id: string;
}

export type Transport = 'inprocess' | 'http' | 'ws';

export interface Environment {
  readonly transport: Transport;
  /** Starts a new episode (abandoning the current one, if any). */
  reset(params?: ResetParams): Promise<EpisodeStart>;
  /** Acts in the current episode. */
  step(action: Action): Promise<StepOutcome>;
  /** The current episode's state (all-null before the first reset). */
  state(): Promise<EpisodeState>;
  /** Grades the current episode; it must be finished. */
  grade(): Promise<GradeResult>;
  /** Releases the connection (or nothing, in process). Safe to call twice. */
  close(): Promise<void>;
}
