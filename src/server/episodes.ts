/**
 * A live episode: one environment (either task family) with the id the server gave it, its optional label, who owns
 * it (the HTTP pool, or one WebSocket connection) and the record of its accepted steps — the same
 * records the store's action log holds, so the episode can be rebuilt anywhere by replaying
 * (task, seed, actions) and checking every result against them.
 */
import { makeEnv, type TaskEnv } from '../env/make.ts';
import type { Action, Observation, StepResult } from '../env/types.ts';
import type { CompletedEpisode, EpisodeFinish, EpisodeLog, EpisodeStart, StepRecord } from './store/types.ts';

/**
 * `http` for the shared pool (steppable by anyone naming it; `sessionId` when an MCP session
 * started it, which then alone may step it), else the owning connection's session id.
 * `principal`: the API key id that started it (security/auth.ts), kept with the episode.
 * `client`: who counts it against per-client shares (sessions.ts).
 */
export type Owner =
  | { kind: 'http'; client?: string; principal?: string | null; sessionId?: string }
  | { kind: 'connection'; sessionId: string; principal?: string | null };

/** A replayed log did not reproduce its stored results (damaged rows, or a build whose numbers differ). */
export class ReplayMismatch extends Error {
  readonly episodeId: string;
  constructor(episodeId: string, message: string) {
    super(message);
    this.name = 'ReplayMismatch';
    this.episodeId = episodeId;
  }
}

/** The stored form of an accepted step: only the §2.2 action fields (other keys were ignored). */
export function stepRecord(action: Action, result: StepResult): StepRecord {
  return {
    t: result.step,
    action: {
      action_type: action.action_type,
      batch_size: action.batch_size,
      strategy_weights: { ...(action.strategy_weights as Record<string, number>) },
    },
    reward: result.reward,
    terms: result.terms,
    observation: result.observation,
    done: result.done,
  };
}

/** True when two actions are the same §2.2 action (what a retry must repeat exactly). */
export function sameAction(a: StepRecord['action'], b: Action): boolean {
  return JSON.stringify(stepActionFields(a as Action)) === JSON.stringify(stepActionFields(b));
}

function stepActionFields(a: Action): StepRecord['action'] {
  const weights = a.strategy_weights as Record<string, number>;
  return {
    action_type: a.action_type,
    batch_size: a.batch_size,
    strategy_weights: Object.fromEntries(Object.keys(weights).sort().map((k) => [k, weights[k]!])),
  };
}

/**
 * Replays `records` on a fresh environment of (task, seed) and returns it with the result of the
 * last one, checked against its stored record: the reply of an accepted step, rebuilt exactly.
 */
export function replayStep(episodeId: string, taskId: string, seed: number, records: StepRecord[]): { env: TaskEnv; result: StepResult } {
  const env = makeEnv(taskId);
  env.reset({ task: taskId, seed });
  let result: StepResult | null = null;
  for (const rec of records) result = env.step(rec.action as Action);
  const last = records[records.length - 1];
  if (!result || !last || JSON.stringify(stepRecord(last.action as Action, result)) !== JSON.stringify(last)) {
    throw new ReplayMismatch(episodeId, `Episode '${episodeId}': replaying its stored steps does not reproduce step ${records.length}; start a new episode.`);
  }
  return { env, result };
}

export class LiveEpisode {
  readonly id: string;
  readonly label: string | null;
  readonly owner: Owner;
  /** Replaced when a step is rolled back (the environment cannot undo a step in place). */
  env: TaskEnv;
  readonly taskId: string;
  readonly seed: number;
  readonly initialObservation: Observation;
  readonly createdMs: number;
  private readonly records: StepRecord[];
  /** Last reset or accepted step (ms): the idle clock of the episode, as the store sees it too. */
  lastActive: number;
  /** Tail of the chain of this episode's steps: one at a time, across the store's awaits. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(args: {
    id: string;
    label: string | null;
    owner: Owner;
    env: TaskEnv;
    initialObservation: Observation;
    now: number;
    records?: StepRecord[];
    createdMs?: number;
  }) {
    this.id = args.id;
    this.label = args.label;
    this.owner = args.owner;
    this.env = args.env;
    this.taskId = args.env.task!.id;
    this.seed = args.env.seed!;
    this.initialObservation = args.initialObservation;
    this.lastActive = args.now;
    this.createdMs = args.createdMs ?? args.now;
    this.records = args.records ?? [];
  }

  /**
   * Rebuilds an unfinished episode from its log: reset with its task and seed, then each stored
   * action, every result compared with the stored one (JSON text: exact for doubles). Throws
   * `ReplayMismatch` at the first difference; the episode is then never served.
   */
  static fromLog(log: EpisodeLog, owner: Owner, now: number): LiveEpisode {
    let env: TaskEnv;
    const fail = (what: string) => {
      throw new ReplayMismatch(
        log.episode_id,
        `Episode '${log.episode_id}' cannot be continued: replaying its ${log.steps.length} stored steps (task ${log.task_id}, seed ${log.seed}) ${what}. Its stored log was altered or this build computes different numbers; start a new episode.`,
      );
    };
    let observation: Observation;
    try {
      env = makeEnv(log.task_id);
      observation = env.reset({ task: log.task_id, seed: log.seed }).observation;
    } catch (e) {
      return fail(`fails at reset (${(e as Error).message})`);
    }
    if (JSON.stringify(observation) !== JSON.stringify(log.initial_observation)) fail('gives a different initial observation');
    const records: StepRecord[] = [];
    for (const stored of log.steps) {
      if (stored.t !== records.length + 1) fail(`finds step ${stored.t} where step ${records.length + 1} belongs`);
      if (env.done) fail(`ends the episode before step ${stored.t}`);
      let result: StepResult;
      try {
        result = env.step(stored.action);
      } catch (e) {
        return fail(`refuses the action of step ${stored.t} (${(e as Error).message})`);
      }
      const replayed = stepRecord(stored.action as Action, result);
      if (JSON.stringify(replayed) !== JSON.stringify(stored)) fail(`gives different results at step ${stored.t}`);
      records.push(replayed);
    }
    if (env.done) fail('ends the episode, but the store has it unfinished');
    return new LiveEpisode({
      id: log.episode_id,
      label: log.label,
      owner,
      env,
      initialObservation: observation!,
      now,
      records,
      createdMs: log.created_ms,
    });
  }

  get done(): boolean {
    return this.env.done;
  }

  get stepCount(): number {
    return this.records.length;
  }

  /** The latest accepted step, or null before the first. */
  get lastRecord(): StepRecord | null {
    return this.records[this.records.length - 1] ?? null;
  }

  /** The store's episode row of this episode. */
  startRecord(): EpisodeStart {
    return {
      episode_id: this.id,
      task_id: this.taskId,
      seed: this.seed,
      label: this.label,
      transport: this.owner.kind,
      created_ms: this.createdMs,
      initial_observation: this.initialObservation,
      owner_key: this.owner.principal ?? null,
    };
  }

  /** Accepted step `t` (1-based), or null. */
  recordAt(t: number): StepRecord | null {
    return this.records[t - 1] ?? null;
  }

  /**
   * Applies steps another process recorded (this copy is behind the store's log): each stored
   * action in turn, every result compared with the stored one, as `fromLog` does. Throws
   * `ReplayMismatch` at the first difference (the copy must then be dropped).
   */
  applyLogged(stored: StepRecord[]): void {
    for (const rec of stored) {
      const fail = (what: string): never => {
        throw new ReplayMismatch(
          this.id,
          `Episode '${this.id}' cannot be continued: catching up with its stored step ${rec.t} (task ${this.taskId}, seed ${this.seed}) ${what}. Its stored log was altered or this build computes different numbers; start a new episode.`,
        );
      };
      if (rec.t !== this.records.length + 1) fail(`finds step ${rec.t} where step ${this.records.length + 1} belongs`);
      if (this.env.done) fail('finds a step after the end');
      let result: StepResult;
      try {
        result = this.env.step(rec.action as Action);
      } catch (e) {
        return fail(`refuses its action (${(e as Error).message})`);
      }
      const replayed = stepRecord(rec.action as Action, result);
      if (JSON.stringify(replayed) !== JSON.stringify(rec)) fail('gives different results');
      this.records.push(replayed);
    }
  }

  /**
   * The full result of accepted step `t` again (an idempotent retry of it): a fresh environment
   * replays steps 1 … t−1 and takes step t, whose record must equal the stored one.
   */
  resultOf(t: number): StepResult {
    const stored = this.records[t - 1];
    if (!stored) throw new RangeError(`episode '${this.id}' has no step ${t}`);
    return replayStep(this.id, this.taskId, this.seed, this.records.slice(0, t)).result;
  }

  /** Runs `fn` after every earlier call on this episode has settled (steps never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Steps the environment with an already validated action; the step is tentative until committed. */
  step(action: Action): { result: StepResult; record: StepRecord } {
    const result = this.env.step(action);
    const record = stepRecord(action, result);
    this.records.push(record);
    return { result, record };
  }

  /** What finishing writes (call once the episode is done). */
  finishRecord(finishedMs: number): EpisodeFinish {
    const input = this.env.gradeInput();
    return {
      finished_ms: finishedMs,
      final_observation: input.final_observation,
      noise_ratios: input.noise_ratios,
      ...(input.grade_data ? { grade_data: input.grade_data } : {}),
    };
  }

  /**
   * Undoes the latest step (its write failed): the environment is rebuilt by replaying the
   * remaining records, which gives exactly the state before that step.
   */
  rollbackLast(): void {
    this.records.pop();
    const env = makeEnv(this.taskId);
    env.reset({ task: this.taskId, seed: this.seed });
    for (const r of this.records) env.step(r.action);
    this.env = env;
  }

  /** The stored form (call once the episode is done). */
  toCompleted(finishedMs: number): CompletedEpisode {
    const finish = this.finishRecord(finishedMs);
    return {
      episode_id: this.id,
      task_id: this.taskId,
      seed: this.seed,
      label: this.label,
      owner_key: this.owner.principal ?? null,
      step_count: this.records.length,
      finished_ms: finishedMs,
      initial_observation: this.initialObservation,
      final_observation: finish.final_observation,
      noise_ratios: finish.noise_ratios,
      ...(finish.grade_data ? { grade_data: finish.grade_data } : {}),
      steps: this.records.slice(),
    };
  }
}
