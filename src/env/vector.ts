/**
 * VectorEnv: N environments of one task stepped together, with the semantics of Gymnasium ≥ 1.0's
 * `SyncVectorEnv` (docs/vector.md). Pure and synchronous: each sub-environment is an ordinary
 * `makeEnv(task)` instance with its own random generator per episode, so sub-environment i gives
 * exactly the numbers of a lone environment driven by the same actions and seeds.
 *
 * - `reset({ seed })` seeds sub-environment i with `seed + i` (Gymnasium: an int seed becomes
 *   `[seed + i for i in range(num_envs)]`); `reset({ seeds })` gives each its own; `resetMask`
 *   resets only the marked ones (Gymnasium's `options={"reset_mask": …}`).
 * - `step(actions)` takes one action per sub-environment and returns the batch: observations as
 *   one Float64Array per numeric observation field (Gymnasium batches a Dict space per key),
 *   `rewards` (Float64Array), `terminated` / `truncated` (Uint8Array, 1 = true) and one info per
 *   sub-environment.
 * - Autoreset (`autoresetMode`):
 *   - `next_step` (Gymnasium's default): the step after a sub-environment's episode ended resets
 *     it instead, ignores its action, and returns the new episode's first observation with reward 0,
 *     terminated = truncated = 0 and the reset's info (`{ task_id, seed }`).
 *   - `same_step`: the ending step resets at once; it returns the new episode's first observation
 *     with the ending step's reward and flags, and the info `{ task_id, seed, final_obs, final_info }`.
 *   - `disabled`: nothing resets by itself; stepping an ended sub-environment is refused
 *     (`episode_over`) until `reset({ resetMask })` resets it.
 * - A sub-environment reset without a seed (every autoreset; `reset()` without seeds after the
 *   first) starts its next episode at `nextSeed(i, previousSeed)`, by default
 *   `previousSeed + numEnvs` (mod 2^32): after `reset({ seed: s })` the vector plays the seeds
 *   s, s+1, … each once, sub-environment i those ≡ s + i (mod N). Gymnasium's `reset()` without a
 *   seed continues the sub-environment's own generator; here every episode has a seed, so that
 *   generator is this per-sub-environment seed sequence.
 *
 * Every action that will be played is validated before any sub-environment moves: a refused step
 * changes nothing (not a state, not a random stream).
 */
import type { TSchema } from 'typebox';
import { EnvError, invalidRequest, unknownTask, type ValidationIssue } from './errors.ts';
import { makeFamilyEnv, type MakeEnvOptions, type TaskEnv } from './make.ts';
import { parseAction, parseSeed } from './schemas.ts';
import { MAX_SEED } from './spaces.ts';
import { CLASSIC_STRATEGIES } from './strategies/names.ts';
import { DEFAULT_SEED, TASK_IDS, getTask, observationSchemaOf, type TaskSpec } from './tasks.ts';
import type { EnvState, Grade, Observation, ResetResult, StepInfo } from './types.ts';

export const AUTORESET_MODES = ['next_step', 'same_step', 'disabled'] as const;
export type AutoresetMode = (typeof AUTORESET_MODES)[number];

export interface VectorEnvOptions extends MakeEnvOptions {
  /** When an ended sub-environment is reset (default `next_step`, as in Gymnasium). */
  autoresetMode?: AutoresetMode;
  /** Also return each sub-environment's observation object (`objects`); default false. */
  observationObjects?: boolean;
  /** Grade every episode that ends in a step (`grades[i]`, before any same-step reset); default false. */
  grades?: boolean;
  /** The seed of sub-environment i's next episode when it is reset without one (default: previous + numEnvs, mod 2^32). */
  nextSeed?: (env: number, previousSeed: number) => number;
}

export interface VectorResetOptions {
  /** One seed s: sub-environment i gets s + i (the last must be ≤ 2^32−1). */
  seed?: number | null;
  /** One seed per sub-environment (null: its next seed, or the default for a first episode). */
  seeds?: readonly (number | null)[];
  /** Reset only the sub-environments marked true / 1 (the others keep their episodes). */
  resetMask?: ArrayLike<boolean | number>;
}

/** One Float64Array of length numEnvs per numeric observation field (`VectorEnv.fields` order). */
export type VectorObservations = Record<string, Float64Array>;

/** A reset's info (one sub-environment's `ResetResult.info`). */
export interface VectorResetInfo {
  task_id: string;
  seed: number;
}

/** Same-step mode: the info of a step that ended an episode and reset it. */
export interface VectorFinalInfo extends VectorResetInfo {
  final_obs: Observation;
  final_info: StepInfo;
}

export type VectorStepInfo = StepInfo | VectorResetInfo | VectorFinalInfo;

export interface VectorResetResult {
  observations: VectorObservations;
  /** With `observationObjects`: each sub-environment's current observation. */
  objects?: Observation[];
  /** The reset's info per sub-environment; null for one the mask left alone. */
  infos: (VectorResetInfo | null)[];
}

export interface VectorStepResult {
  observations: VectorObservations;
  objects?: Observation[];
  rewards: Float64Array;
  /** 1 where the sub-environment's episode terminated in this step. */
  terminated: Uint8Array;
  /** 1 where it was truncated (max_steps). Never both with `terminated`. */
  truncated: Uint8Array;
  infos: VectorStepInfo[];
  /** With `grades`: the grade of each episode that ended in this step, else null. */
  grades?: (Grade | null)[];
}

/** The numeric (number / integer) fields of a task's observation schema, in schema order. */
export function numericObservationFields(task: TaskSpec): string[] {
  const properties = (observationSchemaOf(task) as TSchema & { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.entries(properties)
    .filter(([, s]) => s.type === 'number' || s.type === 'integer')
    .map(([k]) => k);
}

/** The batch as one row-major Float64Array of numEnvs × fields.length (row i = sub-environment i). */
export function packObservations(observations: VectorObservations, fields: readonly string[]): Float64Array {
  const n = fields.length === 0 ? 0 : observations[fields[0]].length;
  const out = new Float64Array(n * fields.length);
  for (let f = 0; f < fields.length; f++) {
    const column = observations[fields[f]];
    for (let i = 0; i < n; i++) out[i * fields.length + f] = column[i];
  }
  return out;
}

const prefixed = (i: number, e: unknown): unknown => {
  if (!(e instanceof EnvError)) return e;
  const issues: ValidationIssue[] = e.issues.map((x) => ({ ...x, loc: [i, ...x.loc] }));
  return new EnvError(e.reason, `actions[${i}]: ${e.message}`, issues);
};

export class VectorEnv {
  readonly numEnvs: number;
  readonly task: TaskSpec;
  readonly autoresetMode: AutoresetMode;
  /** The numeric observation fields, in the order of `packObservations` (schema order). */
  readonly fields: readonly string[];
  private readonly envs: TaskEnv[];
  private readonly allowed: readonly string[];
  private readonly withObjects: boolean;
  private readonly withGrades: boolean;
  private readonly nextSeedOf: (env: number, previousSeed: number) => number;
  private readonly current: (Observation | null)[];
  /** next_step mode: sub-environments whose episode ended in the previous step. */
  private readonly pending: Uint8Array;

  constructor(task: string, numEnvs: number, options: VectorEnvOptions = {}) {
    const spec = getTask(task);
    if (!spec) throw unknownTask(task, TASK_IDS);
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`numEnvs must be a positive integer, got ${numEnvs}`);
    const mode = options.autoresetMode ?? 'next_step';
    if (!AUTORESET_MODES.includes(mode)) throw new RangeError(`autoresetMode must be one of ${AUTORESET_MODES.join(', ')}, got '${String(mode)}'`);
    this.task = spec;
    this.numEnvs = numEnvs;
    this.autoresetMode = mode;
    this.fields = numericObservationFields(spec);
    const envOptions: MakeEnvOptions = { recordSelections: options.recordSelections, libraryPath: options.libraryPath };
    this.envs = Array.from({ length: numEnvs }, () => makeFamilyEnv(spec.family, envOptions));
    this.allowed = spec.family === 'classic' ? CLASSIC_STRATEGIES : spec.strategies;
    this.withObjects = options.observationObjects ?? false;
    this.withGrades = options.grades ?? false;
    this.nextSeedOf = options.nextSeed ?? ((_env, previous) => (previous + numEnvs) % (MAX_SEED + 1));
    this.current = new Array(numEnvs).fill(null);
    this.pending = new Uint8Array(numEnvs);
  }

  /** Resets every sub-environment, or those `resetMask` marks. Throws `invalid_request` (nothing reset) for bad seeds or mask. */
  reset(options: VectorResetOptions = {}): VectorResetResult {
    const n = this.numEnvs;
    if (options.seed !== undefined && options.seed !== null && options.seeds !== undefined) {
      throw invalidRequest([{ loc: ['seeds'], msg: 'give seed or seeds, not both', type: 'value_error' }]);
    }
    const mask = new Uint8Array(n).fill(1);
    if (options.resetMask !== undefined) {
      const m = options.resetMask;
      if (m.length !== n) throw invalidRequest([{ loc: ['resetMask'], msg: `resetMask must have ${n} entries, got ${m.length}`, type: 'value_error' }]);
      let any = false;
      for (let i = 0; i < n; i++) {
        mask[i] = m[i] ? 1 : 0;
        if (mask[i]) any = true;
        if (!mask[i] && this.current[i] === null) {
          throw invalidRequest([{ loc: ['resetMask', i], msg: `sub-environment ${i} has no episode yet: the first reset must reset it`, type: 'value_error' }]);
        }
      }
      if (!any) throw invalidRequest([{ loc: ['resetMask'], msg: 'resetMask marks no sub-environment', type: 'value_error' }]);
    }
    // Every seed is decided and checked before any sub-environment is reset.
    const seeds = new Array<number>(n);
    if (options.seeds !== undefined) {
      if (!Array.isArray(options.seeds) || options.seeds.length !== n) {
        throw invalidRequest([{ loc: ['seeds'], msg: `seeds must have ${n} entries (one per sub-environment)`, type: 'value_error' }]);
      }
    }
    const base = options.seed === undefined || options.seed === null ? null : parseSeed(options.seed, DEFAULT_SEED);
    if (base !== null && base + n - 1 > MAX_SEED) {
      throw invalidRequest([{ loc: ['seed'], msg: `seed + ${n - 1} (the last sub-environment's) is above ${MAX_SEED}`, type: 'seed_range' }]);
    }
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      const given = base !== null ? base + i : options.seeds?.[i];
      if (given !== undefined && given !== null) {
        try {
          seeds[i] = parseSeed(given, DEFAULT_SEED);
        } catch (e) {
          const err = e as EnvError;
          throw new EnvError(err.reason, `seeds[${i}]: ${err.message}`, err.issues.map((x) => ({ ...x, loc: ['seeds', i] })));
        }
      } else {
        const previous = this.envs[i].seed;
        seeds[i] = previous === null ? DEFAULT_SEED + i : this.checkedNextSeed(i, previous);
      }
    }
    const infos: (VectorResetInfo | null)[] = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      const r = this.resetOne(i, seeds[i]);
      infos[i] = r.info;
      this.pending[i] = 0;
    }
    return { observations: this.batch(), ...(this.withObjects ? { objects: this.current.slice() as Observation[] } : {}), infos };
  }

  /**
   * Steps every sub-environment with its action (`actions.length === numEnvs`; a sub-environment
   * being autoreset ignores its entry). Throws `invalid_action` (with the index) or `episode_over`
   * (disabled mode) before anything moves.
   */
  step(actions: readonly unknown[]): VectorStepResult {
    const n = this.numEnvs;
    if (this.current[0] === null) throw new EnvError('no_episode', 'No active episode: call reset() first.');
    if (!Array.isArray(actions) || actions.length !== n) {
      const got = Array.isArray(actions) ? `${actions.length} actions` : typeof actions;
      throw new EnvError('invalid_action', `Invalid action: step() takes ${n} actions (one per sub-environment), got ${got}`, [
        { loc: [], msg: `expected an array of ${n} actions`, type: 'value_error' },
      ]);
    }
    const nextStep = this.autoresetMode === 'next_step';
    const autoSeeds = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      if (nextStep && this.pending[i]) {
        autoSeeds[i] = this.checkedNextSeed(i, this.envs[i].seed!);
        continue;
      }
      if (this.envs[i].done) {
        throw new EnvError('episode_over', `sub-environment ${i}: Episode is over: reset it with reset({ resetMask }).`);
      }
      try {
        parseAction(actions[i], this.allowed);
      } catch (e) {
        throw prefixed(i, e);
      }
    }
    const rewards = new Float64Array(n);
    const terminated = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    const infos = new Array<VectorStepInfo>(n);
    const grades = this.withGrades ? new Array<Grade | null>(n).fill(null) : undefined;
    for (let i = 0; i < n; i++) {
      const env = this.envs[i];
      if (nextStep && this.pending[i]) {
        infos[i] = this.resetOne(i, autoSeeds[i]).info;
        this.pending[i] = 0;
        continue;
      }
      const r = env.step(actions[i]);
      rewards[i] = r.reward;
      terminated[i] = r.terminated ? 1 : 0;
      truncated[i] = r.truncated ? 1 : 0;
      if (r.done && grades) grades[i] = env.grade();
      if (r.done && this.autoresetMode === 'same_step') {
        const started = this.resetOne(i, this.checkedNextSeed(i, env.seed!));
        infos[i] = { ...started.info, final_obs: r.observation, final_info: r.info };
      } else {
        this.current[i] = r.observation;
        infos[i] = r.info;
        if (r.done && nextStep) this.pending[i] = 1;
      }
    }
    return {
      observations: this.batch(),
      ...(this.withObjects ? { objects: this.current.slice() as Observation[] } : {}),
      rewards,
      terminated,
      truncated,
      infos,
      ...(grades ? { grades } : {}),
    };
  }

  /** Sub-environment i's episode state. */
  state(i: number): EnvState {
    return this.env(i).state();
  }

  /** Grades sub-environment i's finished episode (next_step: until the step that resets it). */
  grade(i: number): Grade {
    return this.env(i).grade();
  }

  /** The seed of sub-environment i's current episode (null before the first reset). */
  seedOf(i: number): number | null {
    return this.env(i).seed;
  }

  /** Sub-environment i's current observation (null before the first reset). */
  observationOf(i: number): Observation | null {
    this.env(i);
    return this.current[i];
  }

  /** Whether sub-environment i's episode has ended (and, in next_step mode, will reset on the next step). */
  doneOf(i: number): boolean {
    return this.env(i).done;
  }

  private env(i: number): TaskEnv {
    if (!Number.isInteger(i) || i < 0 || i >= this.numEnvs) throw new RangeError(`sub-environment index ${i} is outside 0…${this.numEnvs - 1}`);
    return this.envs[i];
  }

  private resetOne(i: number, seed: number): ResetResult {
    const r = this.envs[i].reset({ task: this.task.id, seed });
    this.current[i] = r.observation;
    return r;
  }

  private checkedNextSeed(i: number, previous: number): number {
    const s = this.nextSeedOf(i, previous);
    if (!Number.isInteger(s) || s < 0 || s > MAX_SEED) throw new RangeError(`nextSeed(${i}, ${previous}) returned ${s}, not an integer from 0 to ${MAX_SEED}`);
    return s;
  }

  private batch(): VectorObservations {
    const n = this.numEnvs;
    const out: VectorObservations = {};
    for (const field of this.fields) {
      const column = new Float64Array(n);
      for (let i = 0; i < n; i++) column[i] = (this.current[i] as unknown as Record<string, number>)[field];
      out[field] = column;
    }
    return out;
  }
}

/** Gymnasium's `make_vec`: a VectorEnv of `numEnvs` sub-environments of `task`. */
export function makeVectorEnv(task: string, numEnvs: number, options: VectorEnvOptions = {}): VectorEnv {
  return new VectorEnv(task, numEnvs, options);
}
