/**
 * An environment checker in the spirit of Gymnasium's `check_env`: it plays a few short episodes
 * on each task and reports every contract rule an implementation breaks, naming the rule. It
 * works on the synchronous `DataSelectEnv` and on anything with the same reset/step/state
 * methods, synchronous or asynchronous (the in-process `Environment`, or a client of a server).
 *
 * Rules (ids as reported):
 * - `reset-observation`: reset returns an observation within its task family's schema.
 * - `reset-state`: right after reset, state says step_count 0, not done, the task, the budget.
 * - `step-shape`: a step returns an observation within the schema, a finite reward, booleans
 *   terminated/truncated, `step` counting accepted steps, `info` per PROTOCOL §2.4.
 * - `done-flags`: done = terminated || truncated, never both; truncated only at max_steps;
 *   terminated exactly when the action was a stop, the budget reached 0 or the pool emptied.
 * - `episode-length`: every episode ends within the task's max_steps.
 * - `state-consistency`: after each step, state agrees with the step's observation and flags.
 * - `after-end`: a step after the end is refused (`episode_over`) and changes nothing.
 * - `invalid-action`: invalid actions are refused (`invalid_action`) and change nothing: not the
 *   state, and not the random stream (the next valid step equals the step of a clean run).
 * - `determinism`: the same (task, seed) gives exactly the same episode; other seeds another.
 */
import { Compile } from 'typebox/compile';
import { TASKS, getTask, observationSchemaOf, type TaskSpec } from './tasks.ts';
import type { Action } from './types.ts';

type MaybePromise<T> = T | Promise<T>;

interface CheckedObservation {
  remaining_budget: number;
  samples_available: number;
  [key: string]: unknown;
}

/** What the checker calls: DataSelectEnv, InProcessEnvironment and the clients all have these. */
export interface CheckableEnvironment {
  reset(options: { task: string; seed: number }): MaybePromise<{ observation: unknown }>;
  step(action: Action): MaybePromise<{
    observation: unknown;
    reward: number;
    terminated: boolean;
    truncated: boolean;
    done: boolean;
    step: number;
    info: unknown;
  }>;
  state(): MaybePromise<{
    task_id: string | null;
    step_count: number;
    done: boolean;
    remaining_budget: number | null;
    pool_size: number | null;
  }>;
}

export const CHECK_RULES = [
  'reset-observation',
  'reset-state',
  'step-shape',
  'done-flags',
  'episode-length',
  'state-consistency',
  'after-end',
  'invalid-action',
  'determinism',
] as const;
export type CheckRule = (typeof CHECK_RULES)[number];

export interface CheckFailure {
  rule: CheckRule;
  task: string;
  seed: number;
  message: string;
}

export interface CheckReport {
  ok: boolean;
  tasks: string[];
  seeds: number[];
  /** How many times each rule was checked. */
  checked: Record<CheckRule, number>;
  failures: CheckFailure[];
}

export interface CheckOptions {
  /** Default: every task of the registry. */
  tasks?: readonly string[];
  /** Default: 0 and 1 (two seeds, so `determinism` can also tell them apart). */
  seeds?: readonly number[];
}

/** Actions every family refuses (PROTOCOL §2.2), with what makes each invalid. */
const INVALID_ACTIONS: readonly [string, unknown][] = [
  ['unknown strategy key', { action_type: 'select_batch', batch_size: 10, strategy_weights: { greedy: 1 } }],
  ['negative weight', { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: -1 } }],
  ['all-zero weights', { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 0 } }],
  ['fractional batch size', { action_type: 'select_batch', batch_size: 2.5, strategy_weights: { random: 1 } }],
  ['string batch size', { action_type: 'select_batch', batch_size: '10', strategy_weights: { random: 1 } }],
  ['unknown action type', { action_type: 'jump', batch_size: 10, strategy_weights: { random: 1 } }],
  ['not an object', 42],
];

/** The fixed plan of the checked episodes: mixed selections, then a stop if still running. */
function planned(step: number): Action {
  const plans: Action[] = [
    { action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 } },
    { action_type: 'select_batch', batch_size: 7, strategy_weights: { random: 1 } },
    { action_type: 'select_batch', batch_size: 25, strategy_weights: { diversity: 1, uncertainty: 0.5 } },
  ];
  return plans[step % plans.length];
}
const STOP: Action = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };
/** Selections before the checker stops an episode (the rest of max_steps is played on one task). */
const STEPS_BEFORE_STOP = 3;

const reasonOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { reason?: unknown }).reason === 'string' ? (e as { reason: string }).reason : undefined;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface Trace {
  observations: unknown[];
  rewards: number[];
}

class Checker {
  readonly failures: CheckFailure[] = [];
  readonly checked = Object.fromEntries(CHECK_RULES.map((r) => [r, 0])) as Record<CheckRule, number>;
  private task = '';
  private seed = 0;

  at(task: string, seed: number): void {
    this.task = task;
    this.seed = seed;
  }

  /** Records one check of `rule`; a false `ok` is a failure with `message`. */
  expect(rule: CheckRule, ok: boolean, message: () => string): boolean {
    this.checked[rule]++;
    if (!ok) this.failures.push({ rule, task: this.task, seed: this.seed, message: message() });
    return ok;
  }
}

/** Refusal check: `fn` must throw with `reason`. Returns whether it did. */
async function refuses(fn: () => MaybePromise<unknown>, reason: string): Promise<{ refused: boolean; got: string }> {
  try {
    await fn();
    return { refused: false, got: 'accepted' };
  } catch (e) {
    const r = reasonOf(e);
    return { refused: r === reason, got: r ?? (e instanceof Error ? `${e.name}: ${e.message}` : String(e)) };
  }
}

/** Plays one episode, checking every rule that applies along the way. */
async function playChecked(env: CheckableEnvironment, task: TaskSpec, seed: number, c: Checker, full: boolean, probeInvalid: boolean): Promise<Trace> {
  const checkObservation = Compile(observationSchemaOf(task));
  const describe = (value: unknown) => [...checkObservation.Errors(value)].slice(0, 2).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  const trace: Trace = { observations: [], rewards: [] };

  const { observation } = await env.reset({ task: task.id, seed });
  c.expect('reset-observation', checkObservation.Check(observation), () => `reset observation outside the ${task.family} schema: ${describe(observation)}`);
  trace.observations.push(observation);
  const s0 = await env.state();
  c.expect(
    'reset-state',
    s0.step_count === 0 && s0.done === false && s0.task_id === task.id && s0.remaining_budget === task.budget,
    () => `state after reset is ${JSON.stringify(s0)} (expected step_count 0, done false, task_id ${task.id}, remaining_budget ${task.budget})`,
  );

  let prev = observation as CheckedObservation;
  for (let t = 0; t < task.maxSteps + 1; t++) {
    // Invalid actions on the first step: refused, nothing changed (checked again by the next step).
    if (t === 0 && probeInvalid) {
      for (const [why, bad] of INVALID_ACTIONS) {
        const before = await env.state();
        const { refused, got } = await refuses(() => env.step(bad as Action), 'invalid_action');
        c.expect('invalid-action', refused, () => `an action with ${why} was not refused with invalid_action (got ${got})`);
        const after = await env.state();
        c.expect('invalid-action', same(before, after), () => `refusing an action with ${why} changed the state: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      }
    }
    const action = !full && t >= STEPS_BEFORE_STOP ? STOP : planned(t);
    const r = await env.step(action);
    trace.observations.push(r.observation);
    trace.rewards.push(r.reward);
    const obs = r.observation as CheckedObservation;

    c.expect('step-shape', checkObservation.Check(r.observation), () => `step ${t + 1}: observation outside the ${task.family} schema: ${describe(r.observation)}`);
    c.expect('step-shape', typeof r.reward === 'number' && Number.isFinite(r.reward), () => `step ${t + 1}: reward ${String(r.reward)} is not a finite number`);
    c.expect('step-shape', typeof r.terminated === 'boolean' && typeof r.truncated === 'boolean' && typeof r.done === 'boolean', () => `step ${t + 1}: terminated/truncated/done are not booleans`);
    c.expect('step-shape', r.step === t + 1, () => `step ${t + 1}: the reply says step ${r.step}`);
    const info = r.info as Record<string, unknown> | null;
    const infoKeys = info && typeof info === 'object' ? Object.keys(info).sort().join(',') : String(info);
    const infoOk =
      action.action_type === 'stop'
        ? infoKeys === ''
        : task.family === 'classic'
          ? infoKeys === 'gain,noise_ratio,redundancy' || infoKeys === 'gain,noise_ratio,redundancy,terms'
          : infoKeys === 'batch_size,split';
    c.expect('step-shape', infoOk, () =>
      task.family === 'classic'
        ? `step ${t + 1}: info keys [${infoKeys}] (a selection has gain, redundancy, noise_ratio and maybe terms; a stop {})`
        : `step ${t + 1}: info keys [${infoKeys}] (a ${task.family} selection has batch_size and split; a stop {})`,
    );

    c.expect('done-flags', r.done === (r.terminated || r.truncated), () => `step ${t + 1}: done ${r.done} but terminated ${r.terminated}, truncated ${r.truncated}`);
    c.expect('done-flags', !(r.terminated && r.truncated), () => `step ${t + 1}: terminated and truncated both true`);
    const ended = action.action_type === 'stop' || obs.remaining_budget <= 0 || obs.samples_available === 0;
    c.expect('done-flags', r.terminated === ended, () => `step ${t + 1}: terminated ${r.terminated}, but the ${action.action_type === 'stop' ? 'action was a stop' : `budget is ${obs.remaining_budget} and the pool ${obs.samples_available}`}`);
    c.expect('done-flags', r.truncated === (!ended && t + 1 >= task.maxSteps), () => `step ${t + 1}: truncated ${r.truncated} with max_steps ${task.maxSteps}`);
    c.expect('done-flags', obs.remaining_budget <= prev.remaining_budget, () => `step ${t + 1}: the budget grew from ${prev.remaining_budget} to ${obs.remaining_budget}`);

    const st = await env.state();
    c.expect(
      'state-consistency',
      st.step_count === r.step && st.done === r.done && st.remaining_budget === obs.remaining_budget && st.pool_size === obs.samples_available,
      () => `after step ${t + 1}: state ${JSON.stringify(st)} disagrees with the step (step ${r.step}, done ${r.done}, budget ${obs.remaining_budget}, pool ${obs.samples_available})`,
    );
    prev = obs;
    if (r.done) {
      c.expect('episode-length', r.step <= task.maxSteps, () => `the episode ended at step ${r.step}, beyond max_steps ${task.maxSteps}`);
      const before = await env.state();
      const { refused, got } = await refuses(() => env.step(planned(0)), 'episode_over');
      c.expect('after-end', refused, () => `a step after the end was not refused with episode_over (got ${got})`);
      c.expect('after-end', same(before, await env.state()), () => 'a refused step after the end changed the state');
      return trace;
    }
  }
  c.expect('episode-length', false, () => `the episode did not end within max_steps ${task.maxSteps}`);
  return trace;
}

/**
 * Checks `env` on every task (or `options.tasks`) with `options.seeds`, and returns every broken
 * rule. Never throws for a broken rule; an exception the environment throws where none is
 * expected is reported under the rule being checked.
 */
export async function checkEnv(env: CheckableEnvironment, options: CheckOptions = {}): Promise<CheckReport> {
  const tasks = options.tasks ?? [...TASKS.keys()];
  const seeds = options.seeds ?? [0, 1];
  const c = new Checker();
  for (const id of tasks) {
    const task = getTask(id);
    if (!task) throw new RangeError(`unknown task '${id}'`);
    const traces: Trace[] = [];
    for (const seed of seeds) {
      c.at(id, seed);
      try {
        // The first seed of each task plays to its natural end (budget, pool or max_steps).
        const full = seed === seeds[0];
        const first = await playChecked(env, task, seed, c, full, false);
        const again = await playChecked(env, task, seed, c, full, false);
        c.expect('determinism', same(first, again), () => 'the same task and seed gave a different episode (observations or rewards differ)');
        // With refused invalid actions before the first step, the episode must be the clean one:
        // refusing changed nothing, not even the random stream.
        const probed = await playChecked(env, task, seed, c, full, true);
        c.expect('invalid-action', same(first, probed), () => 'refused invalid actions changed the episode that followed (state or random stream)');
        traces.push(first);
      } catch (e) {
        c.expect('step-shape', false, () => `the environment threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
    }
    if (traces.length >= 2) {
      c.at(id, seeds[1]);
      c.expect('determinism', !same(traces[0].observations.slice(0, 2), traces[1].observations.slice(0, 2)), () => `seeds ${seeds[0]} and ${seeds[1]} gave the same first observations`);
    }
  }
  return { ok: c.failures.length === 0, tasks: [...tasks], seeds: [...seeds], checked: c.checked, failures: c.failures };
}

/** A report as lines of text: one per rule (how often checked, failures), then each failure. */
export function formatCheckReport(report: CheckReport): string {
  const lines = [`check: tasks ${report.tasks.join(', ')} · seeds ${report.seeds.join(', ')}`];
  for (const rule of CHECK_RULES) {
    const failed = report.failures.filter((f) => f.rule === rule).length;
    lines.push(`${failed === 0 ? 'ok  ' : 'FAIL'} ${rule.padEnd(18)} ${report.checked[rule]} checks${failed ? `, ${failed} failed` : ''}`);
  }
  for (const f of report.failures.slice(0, 50)) lines.push(`  [${f.rule}] ${f.task} seed ${f.seed}: ${f.message}`);
  if (report.failures.length > 50) lines.push(`  … ${report.failures.length - 50} more`);
  lines.push(report.ok ? 'all rules hold' : `${report.failures.length} failures`);
  return lines.join('\n');
}
