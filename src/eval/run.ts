/**
 * Policy evaluation: play a policy on every (task, seed) pair against any `Environment` and
 * summarise per task. Episodes run one after another in a fixed order, and every episode's
 * numbers depend only on its task and seed (D9), so the same seeds give the same report.
 */
import { ClientError } from '../api/errors.ts';
import type { Environment } from '../api/environment.ts';
import { TASK_IDS, getTask } from '../env/tasks.ts';
import type { LearningCurve } from '../env/metrics/aubc.ts';
import type { GradeBreakdown } from '../env/types.ts';
import type { Policy } from '../policies/index.ts';
import { aubcSummary, type AubcSummary } from './aubc.ts';
import { mean, meanConfidenceInterval } from './stats.ts';

export interface EpisodeResult {
  task_id: string;
  seed: number;
  episode_id: string;
  steps: number;
  total_reward: number;
  final_performance: number;
  score: number;
  passed: boolean;
  /** The grader's breakdown (curation and data-set tasks: test_accuracy, normalised, anchors, aubc, regime). */
  breakdown: GradeBreakdown;
  /** Curation and data-set tasks: the held-out test accuracy after reset and after each selection. */
  learning_curve?: LearningCurve;
}

/** Means over one regime's episodes of a curation task. */
export interface RegimeSummary {
  episodes: number;
  mean_grade: number;
  mean_normalised: number;
  mean_test_accuracy: number;
}

/** The curation tasks' extra figures, read from each episode's grader breakdown. */
export interface CurationSummary {
  /** Mean of the unclipped normalised grade (the score is it clipped to [0, 1]). */
  mean_normalised: number;
  ci95_low: number | null;
  ci95_high: number | null;
  mean_test_accuracy: number;
  /** Per hidden regime (curation: clean, defaulting; data-set tasks also flips). */
  by_regime: { clean: RegimeSummary | null; defaulting: RegimeSummary | null; flips?: RegimeSummary | null };
  /** Mean AUBC (docs/datasets.md) with its 95% CI, over the episodes whose grade reports one. */
  aubc: AubcSummary | null;
}

export interface TaskSummary {
  task_id: string;
  episodes: number;
  mean_grade: number;
  ci95_low: number | null;
  ci95_high: number | null;
  ci95_half_width: number | null;
  pass_rate: number;
  mean_return: number;
  mean_steps: number;
  /** Curation and data-set tasks only (held-out grading). */
  curation?: CurationSummary;
}

/** Mean paired difference (this policy − the other) over the same seeds, per task. */
export interface PairedSummary {
  task_id: string;
  /** What is compared: the unclipped normalised grade on curation tasks, the grade otherwise. */
  metric: 'normalised' | 'score';
  episodes: number;
  mean_difference: number;
  ci95_low: number | null;
  ci95_high: number | null;
  this_mean: number;
  other_mean: number;
}

export interface PairedReport {
  policy: string;
  tasks: PairedSummary[];
  /** The other policy's own report over the same tasks and seeds. */
  report: EvalReport;
}

export interface EvalReport {
  policy: string;
  transport: string;
  seeds: number[];
  tasks: TaskSummary[];
  episodes: EpisodeResult[];
  /** With `--paired-with`: the comparison with the other policy. */
  paired?: PairedReport;
  /** With `--vector N` (src/eval/vector.ts): the sub-environments and the run's timing. */
  vector?: VectorTiming;
}

/** `eval --vector N`: how the episodes were played and how long the whole run took. */
export interface VectorTiming {
  num_envs: number;
  /** Wall time of the whole run (resets, steps, policies, grades). */
  seconds: number;
  /** Steps of the evaluated episodes (idle sub-environments' steps not counted). */
  steps: number;
  steps_per_second: number;
}

/** Hard cap so a policy that never ends an episode cannot loop forever (max_steps is ≤ 15). */
export const STEP_LIMIT = 1000;

/** Names the episode and step in a failure, keeping its code and reason. */
export function inContext(e: unknown, where: string): unknown {
  if (e instanceof ClientError) {
    return new ClientError(e.code, e.reason, `${where}: ${e.message}`, { status: e.status, issues: e.issues, cause: e });
  }
  if (e instanceof Error) e.message = `${where}: ${e.message}`;
  return e;
}

export async function runEpisode(env: Environment, policy: Policy, task: string, seed: number, label?: string): Promise<EpisodeResult> {
  try {
    return await playEpisode(env, policy, task, seed, label);
  } catch (e) {
    throw inContext(e, `task ${task} seed ${seed}`);
  }
}

async function playEpisode(env: Environment, policy: Policy, task: string, seed: number, label?: string): Promise<EpisodeResult> {
  const start = await env.reset({ task, seed, label });
  let observation = start.observation;
  let total = 0;
  let steps = 0;
  let done = false;
  while (!done) {
    if (steps >= STEP_LIMIT) throw new Error(`episode ${task}/${seed} did not end within ${STEP_LIMIT} steps`);
    const action = await policy(observation, { task_id: task, seed, step: steps });
    let r;
    try {
      r = await env.step(action);
    } catch (e) {
      throw inContext(e, `step ${steps + 1} (action ${JSON.stringify(action)})`);
    }
    total += r.reward;
    steps = r.step;
    observation = r.observation;
    done = r.done;
  }
  const g = await env.grade();
  return {
    task_id: task,
    seed,
    episode_id: start.episode_id,
    steps,
    total_reward: total,
    final_performance: observation.current_performance,
    score: g.score,
    passed: g.passed,
    breakdown: g.breakdown,
    ...(g.learning_curve ? { learning_curve: g.learning_curve } : {}),
  };
}

/** The value paired comparisons and the curation means use: unclipped normalised grade, else the score. */
export function gradeValue(e: EpisodeResult): number {
  const n = e.breakdown?.normalised;
  return typeof n === 'number' ? n : e.score;
}

function regimeSummary(results: readonly EpisodeResult[]): RegimeSummary | null {
  if (results.length === 0) return null;
  return {
    episodes: results.length,
    mean_grade: mean(results.map((r) => r.score)),
    mean_normalised: mean(results.map(gradeValue)),
    mean_test_accuracy: mean(results.map((r) => r.breakdown.test_accuracy as number)),
  };
}

function curationSummary(results: readonly EpisodeResult[], family: string): CurationSummary {
  const ci = meanConfidenceInterval(results.map(gradeValue));
  const byRegime = (regime: string) => regimeSummary(results.filter((r) => r.breakdown.regime === regime));
  return {
    mean_normalised: ci.mean,
    ci95_low: ci.low,
    ci95_high: ci.high,
    mean_test_accuracy: mean(results.map((r) => r.breakdown.test_accuracy as number)),
    by_regime: {
      clean: byRegime('clean'),
      defaulting: byRegime('defaulting'),
      ...(family === 'dataset' ? { flips: byRegime('flips') } : {}),
    },
    aubc: aubcSummary(results),
  };
}

/** Tasks graded on a held-out test set (curation and data-set families): their extra figures. */
function heldOut(task: string): string | null {
  const family = getTask(task)?.family;
  return family === 'curation' || family === 'dataset' ? family : null;
}

/** Pairs two reports episode by episode (same task and seed) and summarises the differences. */
export function pairReports(mine: EvalReport, other: EvalReport): PairedSummary[] {
  return mine.tasks.map((t) => {
    const theirs = new Map(other.episodes.filter((e) => e.task_id === t.task_id).map((e) => [e.seed, e]));
    const pairs = mine.episodes
      .filter((e) => e.task_id === t.task_id && theirs.has(e.seed))
      .map((e) => [gradeValue(e), gradeValue(theirs.get(e.seed)!)] as const);
    const ci = meanConfidenceInterval(pairs.map(([a, b]) => a - b));
    return {
      task_id: t.task_id,
      metric: heldOut(t.task_id) ? 'normalised' : 'score',
      episodes: pairs.length,
      mean_difference: ci.mean,
      ci95_low: ci.low,
      ci95_high: ci.high,
      this_mean: mean(pairs.map(([a]) => a)),
      other_mean: mean(pairs.map(([, b]) => b)),
    };
  });
}

export function summarise(task: string, results: readonly EpisodeResult[]): TaskSummary {
  const scores = results.map((r) => r.score);
  const ci = meanConfidenceInterval(scores);
  const family = heldOut(task);
  const curation = family && results.length > 0 ? { curation: curationSummary(results, family) } : {};
  return {
    task_id: task,
    episodes: results.length,
    mean_grade: ci.mean,
    ci95_low: ci.low,
    ci95_high: ci.high,
    ci95_half_width: ci.halfWidth,
    pass_rate: results.filter((r) => r.passed).length / results.length,
    mean_return: mean(results.map((r) => r.total_reward)),
    mean_steps: mean(results.map((r) => r.steps)),
    ...curation,
  };
}

export interface EvalOptions {
  policyName: string;
  policy: Policy;
  /** A fresh policy per episode (stateful policies); `policy` is used when absent. */
  createPolicy?: () => Policy;
  tasks: readonly string[];
  seeds: readonly number[];
  /** Label stored with each episode on a server (episode history, docs/protocol.md §4.13). */
  label?: string;
  /** Called after every episode (progress display). */
  onEpisode?: (r: EpisodeResult, done: number, total: number) => void;
  /** Episodes in flight at once; needs an environment factory (one environment per worker). */
  concurrency?: number;
  /** Explicit (task, seed) episodes, e.g. a Task API split range, instead of tasks × seeds. */
  jobs?: readonly { task: string; seed: number }[];
}

/**
 * Runs every (task, seed) episode. With a factory and `concurrency` > 1, that many environments
 * play in parallel (useful against a server, where time is spent waiting); results are stored by
 * position, so the report is the same as a sequential run's.
 */
export async function evaluate(envOrFactory: Environment | (() => Environment), o: EvalOptions): Promise<EvalReport> {
  const jobs = o.jobs ? [...o.jobs] : o.tasks.flatMap((task) => o.seeds.map((seed) => ({ task, seed })));
  const results: EpisodeResult[] = new Array(jobs.length);
  const workers = typeof envOrFactory === 'function' ? Math.max(1, Math.min(o.concurrency ?? 1, jobs.length)) : 1;
  const envs = typeof envOrFactory === 'function' ? Array.from({ length: workers }, () => envOrFactory()) : [envOrFactory];
  let next = 0;
  let finished = 0;
  let failed = false;
  try {
    await Promise.all(
      envs.map(async (env) => {
        // After one failure the report is void: the other workers stop at their next episode.
        while (next < jobs.length && !failed) {
          const i = next++;
          try {
            results[i] = await runEpisode(env, o.createPolicy ? o.createPolicy() : o.policy, jobs[i].task, jobs[i].seed, o.label);
          } catch (e) {
            failed = true;
            throw e;
          }
          o.onEpisode?.(results[i], ++finished, jobs.length);
        }
      }),
    );
  } finally {
    if (typeof envOrFactory === 'function') await Promise.all(envs.map((e) => e.close()));
  }
  const episodes = results;
  return {
    policy: o.policyName,
    transport: envs[0].transport,
    seeds: [...o.seeds],
    tasks: o.tasks.map((t) => summarise(t, episodes.filter((e) => e.task_id === t))),
    episodes,
  };
}

/** Parses `0..49`, `0,1,7,42`, `0..9,42` into a list of seeds (order kept, duplicates refused). */
export function parseSeeds(spec: string): number[] {
  const seeds: number[] = [];
  const MAX = 4294967295;
  for (const part of spec.split(',').map((s) => s.trim())) {
    const range = /^(\d+)\.\.(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a) throw new RangeError(`seed range '${part}' is empty (end before start)`);
      if (b > MAX) throw new RangeError(`seed ${b} is above ${MAX}`);
      if (b - a > 100_000) throw new RangeError(`seed range '${part}' is too long (over 100000 seeds)`);
      for (let s = a; s <= b; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) {
      const s = Number(part);
      if (s > MAX) throw new RangeError(`seed ${s} is above ${MAX}`);
      seeds.push(s);
    } else {
      throw new RangeError(`bad seed list '${spec}': use N, A..B or a comma list of them (e.g. 0..49 or 0,1,7,42)`);
    }
  }
  if (new Set(seeds).size !== seeds.length) throw new RangeError(`seed list '${spec}' repeats a seed`);
  return seeds;
}

/** Parses `easy,medium,hard` against the task registry. */
export function parseTasks(spec: string): string[] {
  const tasks = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (tasks.length === 0) throw new RangeError('no task given');
  for (const t of tasks) {
    if (!TASK_IDS.includes(t)) throw new RangeError(`unknown task '${t}' (valid: ${TASK_IDS.join(', ')})`);
  }
  if (new Set(tasks).size !== tasks.length) throw new RangeError(`task list '${spec}' repeats a task`);
  return tasks;
}

const CSV_COLUMNS = ['task_id', 'seed', 'episode_id', 'steps', 'total_reward', 'final_performance', 'score', 'passed'] as const;
const CURATION_CSV_COLUMNS = ['normalised', 'test_accuracy', 'aubc', 'regime'] as const;

/** One row per episode; numbers at full precision (shortest round-trip form). Curation columns when any task has them. */
export function toCsv(report: EvalReport): string {
  const withCuration = report.episodes.some((e) => e.breakdown && 'regime' in e.breakdown);
  const rows = [[...CSV_COLUMNS, ...(withCuration ? CURATION_CSV_COLUMNS : [])].join(',')];
  for (const e of report.episodes) {
    const cells = CSV_COLUMNS.map((c) => String(e[c]));
    if (withCuration) for (const c of CURATION_CSV_COLUMNS) cells.push(e.breakdown?.[c] === undefined ? '' : String(e.breakdown[c]));
    rows.push(cells.join(','));
  }
  return `${rows.join('\n')}\n`;
}
