/**
 * The vector environment checker (`checkVectorEnv`), the VectorEnv counterpart of `checkEnv`: it
 * plays N sub-environments of each task in every autoreset mode next to N lone environments
 * (`makeEnv`) driven by the same actions, and reports every rule the vector breaks. The lone
 * environments and the autoreset rules written out here (not VectorEnv's code) are the reference.
 *
 * Rules (ids as reported):
 * - `vector-reset`: `reset({ seed: s })` starts sub-environment i at seed s + i; its observation is
 *   the lone environment's reset observation, within the family's schema; the typed arrays hold the
 *   objects' numeric fields.
 * - `vector-step-shape`: rewards a Float64Array, terminated/truncated Uint8Arrays of 0/1 (never
 *   both 1), one info per sub-environment, one Float64Array of numEnvs per numeric field.
 * - `vector-equivalence`: every sub-environment's observations, rewards, flags, infos and grades
 *   are exactly (Object.is) the lone environment's, across autoresets.
 * - `vector-autoreset`: next_step — the step after an end resets the sub-environment at its next
 *   seed, ignores its action (an invalid one is accepted), returns reward 0 and both flags 0;
 *   same_step — the ending step returns the new episode's first observation with the ending step's
 *   reward and flags and `final_obs` / `final_info`; disabled — stepping an ended sub-environment is
 *   refused with `episode_over` until `reset({ resetMask })`, which resets only the marked ones.
 *   Every run must see at least one end.
 * - `vector-invalid-action`: a batch with one invalid action, or of the wrong length, is refused
 *   with `invalid_action` naming the index, and changes nothing (the following steps still match).
 * - `vector-determinism`: the same seeds give exactly the same run.
 */
import { isDeepStrictEqual } from 'node:util';
import { Compile } from 'typebox/compile';
import { makeEnv, type TaskEnv } from './make.ts';
import { MAX_SEED } from './spaces.ts';
import { TASKS, getTask, observationSchemaOf, type TaskSpec } from './tasks.ts';
import type { Action, Grade, Observation, StepResult } from './types.ts';
import {
  AUTORESET_MODES,
  VectorEnv,
  type AutoresetMode,
  type VectorEnvOptions,
  type VectorResetOptions,
  type VectorResetResult,
  type VectorStepResult,
} from './vector.ts';

/** What the checker calls (VectorEnv has it). */
export interface CheckableVectorEnv {
  readonly numEnvs: number;
  readonly autoresetMode: AutoresetMode;
  readonly fields: readonly string[];
  reset(options: VectorResetOptions): VectorResetResult;
  step(actions: readonly unknown[]): VectorStepResult;
  grade(i: number): Grade;
}

export const VECTOR_CHECK_RULES = [
  'vector-reset',
  'vector-step-shape',
  'vector-equivalence',
  'vector-autoreset',
  'vector-invalid-action',
  'vector-determinism',
] as const;
export type VectorCheckRule = (typeof VECTOR_CHECK_RULES)[number];

export interface VectorCheckFailure {
  rule: VectorCheckRule;
  task: string;
  mode: AutoresetMode;
  message: string;
}

export interface VectorCheckReport {
  ok: boolean;
  tasks: string[];
  modes: AutoresetMode[];
  numEnvs: number;
  seed: number;
  checked: Record<VectorCheckRule, number>;
  failures: VectorCheckFailure[];
}

export interface VectorCheckOptions {
  /** Default: every task of the registry. */
  tasks?: readonly string[];
  /** Default: all three. */
  modes?: readonly AutoresetMode[];
  /** Sub-environments (default 3). */
  numEnvs?: number;
  /** The vector's seed (default 0). */
  seed?: number;
  /** Vector steps per run (default: the task's max_steps + 4, so the first sub-environment ends by itself). */
  steps?: number;
  /** Builds the vector under test (default: `new VectorEnv`); the checker asks for objects and grades. */
  make?: (task: string, numEnvs: number, options: VectorEnvOptions) => CheckableVectorEnv;
}

const STOP: Action = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
const PLANS: readonly Action[] = [
  { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } },
  { action_type: 'select_batch', batch_size: 7, strategy_weights: { random: 1 } },
  { action_type: 'select_batch', batch_size: 25, strategy_weights: { diversity: 1, uncertainty: 0.5 } },
];
/** What a sub-environment being autoreset is given: invalid, so accepting it shows it was ignored. */
const IGNORED = { action_type: 'ignored because this sub-environment is being reset' };
const INVALID = { action_type: 'select_batch', batch_size: 10, strategy_weights: { greedy: 1 } };

/**
 * Sub-environment i's action at step k of its e-th episode: sub-environment 0 plays each episode
 * to its own end (budget, pool or max_steps); the others stop after 2–4 selections, at different
 * steps, so ends and autoresets fall on different vector steps.
 */
function plannedAction(i: number, episode: number, k: number): Action {
  if (i > 0 && k >= 2 + ((i + episode) % 3)) return STOP;
  return PLANS[(k + i) % PLANS.length];
}

const reasonOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { reason?: unknown }).reason === 'string' ? (e as { reason: string }).reason : undefined;

class Recorder {
  readonly failures: VectorCheckFailure[] = [];
  readonly checked = Object.fromEntries(VECTOR_CHECK_RULES.map((r) => [r, 0])) as Record<VectorCheckRule, number>;
  task = '';
  mode: AutoresetMode = 'next_step';

  expect(rule: VectorCheckRule, ok: boolean, message: () => string): boolean {
    this.checked[rule]++;
    if (!ok) this.failures.push({ rule, task: this.task, mode: this.mode, message: message() });
    return ok;
  }
}

const show = (x: unknown) => {
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

/** One sub-environment's expected outcome of a vector step. */
interface Expected {
  observation: Observation;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: unknown;
  grade: Grade | null;
  autoreset: boolean;
}

/** Plays one run (task × mode) and returns everything it returned, for the determinism check. */
function playRun(vec: CheckableVectorEnv, task: TaskSpec, seed: number, steps: number, c: Recorder): unknown[] {
  const n = vec.numEnvs;
  const mode = vec.autoresetMode;
  const trace: unknown[] = [];
  const checkObservation = Compile(observationSchemaOf(task));
  const refs: TaskEnv[] = Array.from({ length: n }, () => makeEnv(task.id));
  const refSeed: number[] = [];
  const episode = new Array<number>(n).fill(0);
  const k = new Array<number>(n).fill(0);
  const pending = new Array<boolean>(n).fill(false);
  let ends = 0;

  const arraysMatch = (rule: VectorCheckRule, obs: Record<string, Float64Array>, objects: readonly Observation[] | undefined, when: string) => {
    for (const f of vec.fields) {
      const col = obs[f];
      if (!c.expect(rule, col instanceof Float64Array && col.length === n, () => `${when}: observations.${f} is not a Float64Array of ${n}`)) continue;
      for (let i = 0; i < n; i++) {
        const want = (objects?.[i] as unknown as Record<string, number> | undefined)?.[f];
        c.expect(rule, Object.is(col[i], want), () => `${when}: observations.${f}[${i}] = ${col[i]} but the sub-environment's observation says ${want}`);
      }
    }
  };

  const r0 = vec.reset({ seed });
  trace.push(r0);
  for (let i = 0; i < n; i++) {
    refSeed[i] = seed + i;
    const want = refs[i].reset({ task: task.id, seed: seed + i });
    c.expect('vector-reset', isDeepStrictEqual(r0.infos[i], want.info), () => `reset: infos[${i}] ${show(r0.infos[i])}, expected ${show(want.info)} (seed + i)`);
    c.expect('vector-reset', isDeepStrictEqual(r0.objects?.[i], want.observation), () => `reset: sub-environment ${i}'s observation differs from a lone environment's at seed ${seed + i}`);
    c.expect('vector-reset', checkObservation.Check(r0.objects?.[i]), () => `reset: sub-environment ${i}'s observation is outside the ${task.family} schema`);
  }
  arraysMatch('vector-reset', r0.observations, r0.objects, 'reset');

  const nextSeed = (i: number) => (refSeed[i] = (refSeed[i] + n) % (MAX_SEED + 1));
  const refReset = (i: number) => {
    const r = refs[i].reset({ task: task.id, seed: nextSeed(i) });
    episode[i]++;
    k[i] = 0;
    return r;
  };

  for (let t = 0; t < steps; t++) {
    // Disabled mode: an ended sub-environment refuses a step, then a masked reset starts it again.
    if (mode === 'disabled') {
      const ended = refs.map((r) => r.done);
      if (ended.some(Boolean)) {
        const probe = refs.map((_, i) => (ended[i] ? plannedAction(i, episode[i], 0) : plannedAction(i, episode[i], k[i])));
        let reason: string | undefined = 'accepted';
        try {
          vec.step(probe);
        } catch (e) {
          reason = reasonOf(e) ?? String(e);
        }
        c.expect('vector-autoreset', reason === 'episode_over', () => `disabled: stepping an ended sub-environment gave ${reason}, expected episode_over`);
        const seeds = refs.map((_, i) => (ended[i] ? (refSeed[i] + n) % (MAX_SEED + 1) : null));
        const rr = vec.reset({ resetMask: ended, seeds });
        trace.push(rr);
        const objects = rr.objects ?? [];
        for (let i = 0; i < n; i++) {
          if (!ended[i]) {
            c.expect('vector-autoreset', rr.infos[i] === null, () => `disabled: reset({ resetMask }) gave an info for unmarked sub-environment ${i}`);
            continue;
          }
          const want = refReset(i);
          c.expect('vector-autoreset', isDeepStrictEqual(rr.infos[i], want.info), () => `disabled: masked reset infos[${i}] ${show(rr.infos[i])}, expected ${show(want.info)}`);
          c.expect('vector-equivalence', isDeepStrictEqual(objects[i], want.observation), () => `disabled: masked reset of sub-environment ${i} differs from a lone reset at seed ${refSeed[i]}`);
        }
        arraysMatch('vector-reset', rr.observations, rr.objects, `step ${t + 1} (masked reset)`);
      }
    }

    const actions: unknown[] = refs.map((_, i) => (pending[i] ? IGNORED : plannedAction(i, episode[i], k[i])));
    // Refusals first (step 2): one invalid action among valid ones, then a batch of the wrong length.
    if (t === 1) {
      const j = refs.findIndex((_, i) => !pending[i] && !refs[i].done);
      if (j >= 0) {
        const bad = actions.slice();
        bad[j] = INVALID;
        let got = 'accepted';
        try {
          vec.step(bad);
        } catch (e) {
          got = `${reasonOf(e)}: ${(e as Error).message}`;
        }
        c.expect('vector-invalid-action', got.startsWith('invalid_action') && got.includes(`[${j}]`), () => `a batch with an invalid action at ${j} gave '${got}' (expected invalid_action naming [${j}])`);
      }
      let got = 'accepted';
      try {
        vec.step(actions.slice(1));
      } catch (e) {
        got = reasonOf(e) ?? String(e);
      }
      c.expect('vector-invalid-action', got === 'invalid_action', () => `a batch of ${n - 1} actions for ${n} sub-environments gave ${got}`);
    }

    const expected: Expected[] = [];
    for (let i = 0; i < n; i++) {
      if (pending[i]) {
        const r = refReset(i);
        pending[i] = false;
        expected.push({ observation: r.observation, reward: 0, terminated: false, truncated: false, info: r.info, grade: null, autoreset: true });
        continue;
      }
      const s: StepResult = refs[i].step(actions[i]);
      k[i]++;
      const grade = s.done ? refs[i].grade() : null;
      if (s.done) ends++;
      if (s.done && mode === 'same_step') {
        const r = refReset(i);
        expected.push({ observation: r.observation, reward: s.reward, terminated: s.terminated, truncated: s.truncated, info: { ...r.info, final_obs: s.observation, final_info: s.info }, grade, autoreset: true });
      } else {
        if (s.done && mode === 'next_step') pending[i] = true;
        expected.push({ observation: s.observation, reward: s.reward, terminated: s.terminated, truncated: s.truncated, info: s.info, grade, autoreset: false });
      }
    }

    let out: VectorStepResult;
    try {
      out = vec.step(actions);
    } catch (e) {
      c.expect('vector-equivalence', false, () => `step ${t + 1}: the vector threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      return trace;
    }
    trace.push(out);
    const when = `step ${t + 1}`;
    c.expect('vector-step-shape', out.rewards instanceof Float64Array && out.rewards.length === n, () => `${when}: rewards is not a Float64Array of ${n}`);
    c.expect('vector-step-shape', out.terminated instanceof Uint8Array && out.terminated.length === n && out.truncated instanceof Uint8Array && out.truncated.length === n, () => `${when}: terminated/truncated are not Uint8Arrays of ${n}`);
    c.expect('vector-step-shape', Array.isArray(out.infos) && out.infos.length === n, () => `${when}: infos is not an array of ${n}`);
    arraysMatch('vector-step-shape', out.observations, out.objects, when);
    for (let i = 0; i < n; i++) {
      const e = expected[i];
      const term = out.terminated[i];
      const trunc = out.truncated[i];
      c.expect('vector-step-shape', (term === 0 || term === 1) && (trunc === 0 || trunc === 1) && !(term && trunc), () => `${when}: sub-environment ${i}: terminated ${term}, truncated ${trunc}`);
      c.expect('vector-step-shape', Number.isFinite(out.rewards[i]), () => `${when}: rewards[${i}] = ${out.rewards[i]}`);
      c.expect('vector-step-shape', checkObservation.Check(out.objects?.[i]), () => `${when}: sub-environment ${i}'s observation is outside the ${task.family} schema`);
      const rule: VectorCheckRule = e.autoreset ? 'vector-autoreset' : 'vector-equivalence';
      c.expect(rule, isDeepStrictEqual(out.objects?.[i], e.observation), () => `${when}: sub-environment ${i}'s observation ${show(out.objects?.[i])} differs from the lone environment's ${show(e.observation)}${e.autoreset ? ' (autoreset)' : ''}`);
      c.expect(rule, Object.is(out.rewards[i], e.reward), () => `${when}: rewards[${i}] = ${out.rewards[i]}, expected ${e.reward}${e.autoreset && mode === 'next_step' ? ' (0 on an autoreset step)' : ''}`);
      c.expect(rule, term === (e.terminated ? 1 : 0) && trunc === (e.truncated ? 1 : 0), () => `${when}: sub-environment ${i}: terminated ${term}, truncated ${trunc}, expected ${Number(e.terminated)}, ${Number(e.truncated)}`);
      c.expect(rule, isDeepStrictEqual(out.infos[i], e.info), () => `${when}: infos[${i}] ${show(out.infos[i])}, expected ${show(e.info)}`);
      c.expect('vector-equivalence', isDeepStrictEqual(out.grades?.[i] ?? null, e.grade), () => `${when}: grades[${i}] ${show(out.grades?.[i])}, expected ${show(e.grade)}`);
      if (e.grade && mode === 'next_step') {
        let g: unknown;
        try {
          g = vec.grade(i);
        } catch (err) {
          g = String(err);
        }
        c.expect('vector-equivalence', isDeepStrictEqual(g, e.grade), () => `${when}: grade(${i}) before the autoreset gave ${show(g)}, expected ${show(e.grade)}`);
      }
    }
  }
  c.expect('vector-autoreset', ends > 0, () => `no sub-environment's episode ended in ${steps} steps: no autoreset was checked`);
  return trace;
}

/** Checks VectorEnv (or `options.make`'s vector) on every task (or `options.tasks`) in every autoreset mode. */
export function checkVectorEnv(options: VectorCheckOptions = {}): VectorCheckReport {
  const tasks = options.tasks ?? [...TASKS.keys()];
  const modes = options.modes ?? AUTORESET_MODES;
  const numEnvs = options.numEnvs ?? 3;
  const seed = options.seed ?? 0;
  const make = options.make ?? ((task, n, o) => new VectorEnv(task, n, o));
  const c = new Recorder();
  for (const id of tasks) {
    const task = getTask(id);
    if (!task) throw new RangeError(`unknown task '${id}'`);
    const steps = options.steps ?? task.maxSteps + 4;
    for (const mode of modes) {
      c.task = id;
      c.mode = mode;
      const vecOptions: VectorEnvOptions = { autoresetMode: mode, observationObjects: true, grades: true };
      try {
        const first = playRun(make(id, numEnvs, vecOptions), task, seed, steps, c);
        if (mode === modes[0]) {
          const again = playRun(make(id, numEnvs, vecOptions), task, seed, steps, new Recorder());
          c.expect('vector-determinism', isDeepStrictEqual(first, again), () => 'the same task and seed gave a different run');
        }
      } catch (e) {
        c.expect('vector-equivalence', false, () => `the vector threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
  }
  return { ok: c.failures.length === 0, tasks: [...tasks], modes: [...modes], numEnvs, seed, checked: c.checked, failures: c.failures };
}

/** A report as lines of text: one per rule, then each failure (at most 50). */
export function formatVectorCheckReport(report: VectorCheckReport): string {
  const lines = [`check vector: ${report.numEnvs} sub-environments · seed ${report.seed} · modes ${report.modes.join(', ')} · tasks ${report.tasks.join(', ')}`];
  for (const rule of VECTOR_CHECK_RULES) {
    const failed = report.failures.filter((f) => f.rule === rule).length;
    lines.push(`${failed === 0 ? 'ok  ' : 'FAIL'} ${rule.padEnd(22)} ${report.checked[rule]} checks${failed ? `, ${failed} failed` : ''}`);
  }
  for (const f of report.failures.slice(0, 50)) lines.push(`  [${f.rule}] ${f.task} ${f.mode}: ${f.message}`);
  if (report.failures.length > 50) lines.push(`  … ${report.failures.length - 50} more`);
  lines.push(report.ok ? 'all rules hold' : `${report.failures.length} failures`);
  return lines.join('\n');
}
