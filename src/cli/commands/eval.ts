import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { getSplit, taskRange } from '../../env/splits.ts';
import { openEnvironment } from '../../client/connect.ts';
import { evaluate, pairReports, parseSeeds, parseTasks, toCsv, type EvalReport, type EvalOptions } from '../../eval/run.ts';
import { evaluateVector } from '../../eval/vector.ts';
import { BUILTIN_POLICIES, loadPolicy } from '../../policies/index.ts';
import { UsageError, parseArgument } from '../errors.ts';
import { API_KEY_ENV, serverApiKey } from '../api-key.ts';
import { actionWithDataset, type DatasetFlags } from '../dataset-option.ts';

export interface EvalCliOptions extends DatasetFlags {
  policy: string;
  tasks: string;
  seeds: string;
  url?: string;
  ws?: boolean;
  csv?: string;
  out?: string;
  json?: boolean;
  timeout: string;
  concurrency: string;
  split?: string;
  range?: string;
  pairedWith?: string;
  apiKey?: string;
  vector?: string;
}

const fmt = (x: number | null, digits = 4) => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));

const signed = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(4)}`);

export function formatReport(report: EvalReport): string {
  const w = Math.max(8, ...report.tasks.map((t) => t.task_id.length + 1));
  const vector = report.vector ? ` · vector ${report.vector.num_envs}` : '';
  const lines = [`policy ${report.policy} · ${report.transport}${vector} · ${report.seeds.length} seeds (${seedSpan(report.seeds)})`];
  lines.push(`${'task'.padEnd(w)}${'n'.padStart(4)}  ${'mean grade'.padStart(10)}  ${'95% CI'.padStart(17)}  ${'pass rate'.padStart(9)}  ${'mean return'.padStart(11)}  ${'steps'.padStart(5)}`);
  for (const t of report.tasks) {
    const ci = t.ci95_low === null ? 'n/a' : `[${fmt(t.ci95_low)}, ${fmt(t.ci95_high)}]`;
    lines.push(
      `${t.task_id.padEnd(w)}${String(t.episodes).padStart(4)}  ${fmt(t.mean_grade).padStart(10)}  ${ci.padStart(17)}  ${`${(t.pass_rate * 100).toFixed(1)}%`.padStart(9)}  ${fmt(t.mean_return).padStart(11)}  ${t.mean_steps.toFixed(1).padStart(5)}`,
    );
  }
  const curation = report.tasks.filter((t) => t.curation);
  if (curation.length > 0) {
    lines.push(
      '',
      `${'held-out'.padEnd(w)}${'normalised (unclipped)'.padStart(24)}  ${'95% CI'.padStart(19)}  ${'test acc'.padStart(8)}  ${'AUBC ± 95% CI'.padStart(16)}  ${'clean: n, norm, acc'.padStart(24)}  ${'defaulting: n, norm, acc'.padStart(26)}  ${'flips: n, norm, acc'.padStart(24)}`,
    );
    for (const t of curation) {
      const c = t.curation!;
      const ci = c.ci95_low === null ? 'n/a' : `[${signed(c.ci95_low)}, ${signed(c.ci95_high)}]`;
      const reg = (r: typeof c.by_regime.clean | undefined) => (r === undefined ? '—' : r ? `${r.episodes}, ${signed(r.mean_normalised)}, ${fmt(r.mean_test_accuracy)}` : 'none');
      const a = c.aubc;
      const aubcText = a === null ? 'n/a' : a.ci95_low === null ? fmt(a.mean) : `${fmt(a.mean)} ± ${fmt(a.mean - a.ci95_low)}`;
      lines.push(
        `${t.task_id.padEnd(w)}${signed(c.mean_normalised).padStart(24)}  ${ci.padStart(19)}  ${fmt(c.mean_test_accuracy).padStart(8)}  ${aubcText.padStart(16)}  ${reg(c.by_regime.clean).padStart(24)}  ${reg(c.by_regime.defaulting).padStart(26)}  ${reg(c.by_regime.flips).padStart(24)}`,
      );
    }
  }
  if (report.vector) {
    const v = report.vector;
    const other = report.paired?.report.vector;
    lines.push('', `timing: ${v.steps} steps in ${v.seconds.toFixed(2)} s, ${Math.round(v.steps_per_second)} steps/s (${v.num_envs} sub-environments per VectorEnv, policy included)${other ? `; paired run ${other.steps} steps in ${other.seconds.toFixed(2)} s` : ''}`);
  }
  if (report.paired) {
    const p = report.paired;
    lines.push('', `paired with ${p.policy} (same seeds): mean of (${report.policy} − ${p.policy})`);
    lines.push(`${'task'.padEnd(w)}${'metric'.padStart(11)}${'n'.padStart(5)}  ${'difference'.padStart(10)}  ${'95% CI'.padStart(19)}  ${report.policy.slice(0, 12).padStart(12)}  ${p.policy.slice(0, 12).padStart(12)}`);
    for (const t of p.tasks) {
      const ci = t.ci95_low === null ? 'n/a' : `[${signed(t.ci95_low)}, ${signed(t.ci95_high)}]`;
      lines.push(
        `${t.task_id.padEnd(w)}${t.metric.padStart(11)}${String(t.episodes).padStart(5)}  ${signed(t.mean_difference).padStart(10)}  ${ci.padStart(19)}  ${signed(t.this_mean).padStart(12)}  ${signed(t.other_mean).padStart(12)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function seedSpan(seeds: readonly number[]): string {
  if (seeds.length === 0) return '';
  const contiguous = seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1);
  return contiguous && seeds.length > 1 ? `${seeds[0]}..${seeds[seeds.length - 1]}` : seeds.join(',');
}

export function registerEval(program: Command): void {
  const builtins = Object.entries(BUILTIN_POLICIES)
    .map(([n, p]) => `  ${n.padEnd(17)}${p.description}`)
    .join('\n');
  const cmd = program
    .command('eval')
    .description('evaluate a policy over tasks × seeds: mean grade with a 95% Student-t CI, pass rate, mean return')
    .option('--policy <name|path>', 'built-in policy name, a library strategy (played as {strategy: 1}, batch 10), or a module whose default export is (observation, context) => action', 'balanced')
    .option('--tasks <list>', 'comma-separated task ids', 'easy,medium,hard')
    .option('--seeds <spec>', 'seeds: N, A..B, or a comma list of them', '0..49')
    .option('--split <name>', 'play the entries of a Task API split (train, validation, test) instead of --tasks × --seeds')
    .option('--range <start:stop>', 'with --split: entries start … stop−1 (Python slice bounds; at most 10000)')
    .option('--url <url>', 'evaluate against a running server (http://host:port) instead of in process')
    .option('--ws', 'with --url: use the WebSocket transport instead of HTTP')
    .option('--api-key <key>', `with --url: API key of a server started with API_KEYS (env ${API_KEY_ENV})`)
    .option('--timeout <ms>', 'per-request timeout against a server', '30000')
    .option('--concurrency <n>', 'with --url: episodes played at once, one connection each (in process: 1 only)', '1')
    .option('--vector <n>', 'in process: play each task\'s episodes n at a time through a VectorEnv (1–1024; same results), and print the timing')
    .option('--csv <file>', 'write one CSV row per episode')
    .option('--paired-with <name|path>', 'also play this policy on the same tasks and seeds and report the mean paired difference with its 95% CI (curation: of the unclipped normalised grade)')
    .option('--out <file>', 'write the full report as JSON')
    .option('--json', 'print the report as JSON on stdout (no progress bar)')
    .addHelpText(
      'after',
      `\nBuilt-in policies:\n${builtins}\n\nExamples:\n  dataselectenv eval --policy random --tasks easy,hard --seeds 0..19 --csv random.csv\n  dataselectenv eval --policy diversity --paired-with adaptive --tasks curation-easy,curation-medium,curation-hard --seeds 2000..2199\n  dataselectenv eval --policy margin --tasks iris,wine,digits --seeds 0..29\n  dataselectenv eval --policy balanced --tasks easy,medium,hard --seeds 0..99 --vector 16\n  dataselectenv eval --dataset my.csv --label-column y --policy random --seeds 0..9    # task csv-my`,
    );
  actionWithDataset(cmd, async (opts: EvalCliOptions, csvTask) => {
    // Without an explicit --tasks, --dataset evaluates its own task.
    if (csvTask !== null && cmd.getOptionValueSource('tasks') === 'default') opts.tasks = csvTask;
    await runEvalCommand(opts);
  });
}

/** `--split NAME --range A:B`: the split's entries [A, B) (Python slice bounds), as (task, seed) jobs. */
export function splitJobs(name: string, range: string | undefined): { task: string; seed: number }[] {
  let split;
  try {
    split = getSplit(name);
  } catch (e) {
    throw new RangeError(`--split: ${(e as Error).message}`);
  }
  let start: number | null = null;
  let stop: number | null = null;
  if (range !== undefined) {
    const m = /^(-?[0-9]{1,15})?:(-?[0-9]{1,15})?$/.exec(range);
    if (!m) throw new RangeError(`--range must be START:STOP (either may be empty), got '${range}'`);
    start = m[1] === undefined ? null : Number(m[1]);
    stop = m[2] === undefined ? null : Number(m[2]);
  }
  try {
    return taskRange(split, start, stop).map((e) => ({ task: e.task_id, seed: e.seed }));
  } catch (e) {
    throw new RangeError((e as Error).message);
  }
}

export async function runEvalCommand(opts: EvalCliOptions): Promise<void> {
  if (opts.range !== undefined && opts.split === undefined) throw new UsageError('--range needs --split');
  let jobs: { task: string; seed: number }[] | undefined;
  if (opts.split !== undefined) {
    jobs = splitJobs(opts.split, opts.range);
  }
  const tasks = jobs ? [...new Set(jobs.map((j) => j.task))] : parseArgument(() => parseTasks(opts.tasks));
  const seeds = jobs ? [...new Set(jobs.map((j) => j.seed))] : parseArgument(() => parseSeeds(opts.seeds));
  const loaded = await loadPolicy(opts.policy);
  const other = opts.pairedWith === undefined ? null : await loadPolicy(opts.pairedWith);
  const timeoutMs = Number(opts.timeout);
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be a positive number of milliseconds, got '${opts.timeout}'`);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new UsageError(`--concurrency must be an integer from 1 to 256, got '${opts.concurrency}'`);
  }
  if (opts.ws && !opts.url) throw new UsageError('--ws needs --url (in process there is no transport)');
  // In process a step is CPU-bound and synchronous: parallel episodes would only interleave on one
  // thread and change nothing but the order of the progress bar, so asking for them is refused.
  if (!opts.url && concurrency > 1) {
    throw new UsageError(`--concurrency ${concurrency} needs --url: in process episodes run one after another (a step is synchronous, so parallel episodes would not be faster)`);
  }
  let vectorEnvs: number | null = null;
  if (opts.vector !== undefined) {
    vectorEnvs = Number(opts.vector);
    if (!/^[0-9]+$/.test(opts.vector) || vectorEnvs < 1 || vectorEnvs > 1024) throw new UsageError(`--vector must be an integer from 1 to 1024, got '${opts.vector}'`);
    if (opts.url) throw new UsageError('--vector runs in process: it cannot be combined with --url (a server steps one episode per request)');
  }
  const workers = concurrency;
  const apiKey = serverApiKey(opts.apiKey);
  const makeEnv = () => openEnvironment({ url: opts.url, transport: opts.ws ? 'ws' : 'http', timeoutMs, apiKey });
  const showBar = !opts.json && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'eval {bar} {value}/{total} episodes · {task} seed {seed} · ETA {eta_formatted}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const perPolicy = jobs?.length ?? tasks.length * seeds.length;
  const total = perPolicy * (other ? 2 : 1);
  bar?.start(total, 0, { task: tasks[0], seed: seeds[0] });
  let report: EvalReport;
  const run = (p: typeof loaded, offset: number) => {
    const o: EvalOptions = {
      concurrency: workers,
      policyName: p.name,
      policy: p.policy,
      createPolicy: p.create,
      tasks,
      seeds,
      jobs,
      label: `eval:${p.name}`.slice(0, 64),
      onEpisode: (r, done) => bar?.update(offset + done, { task: r.task_id, seed: r.seed }),
    };
    return vectorEnvs === null ? evaluate(makeEnv, o) : evaluateVector(vectorEnvs, o);
  };
  try {
    report = await run(loaded, 0);
    if (other) {
      const theirs = await run(other, perPolicy);
      report.paired = { policy: other.name, tasks: pairReports(report, theirs), report: theirs };
    }
  } finally {
    bar?.stop();
  }
  if (opts.csv) writeFileSync(opts.csv, toCsv(report));
  if (opts.out) writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    process.stdout.write(formatReport(report));
    for (const f of [opts.csv, opts.out]) if (f) process.stdout.write(`wrote ${f}\n`);
  }
}
