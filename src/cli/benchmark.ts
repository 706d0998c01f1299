/**
 * The benchmark table (README "Benchmark table"): every held-out task (curation and data-set
 * families) × every strategy the task accepts, played as a fixed policy (`{strategy: 1}`, batch
 * 10, until done), plus `adaptive`; per cell the mean grade and the mean AUBC over the seeds with
 * 95 % Student-t CIs, and the wall time. One command produces it: `dataselectenv benchmark`.
 */
import { InProcessEnvironment } from '../client/inprocess.ts';
import { getTask, TASK_IDS } from '../env/tasks.ts';
import { BUILTIN_POLICIES, fixedStrategyPolicy } from '../policies/index.ts';
import { evaluate } from '../eval/run.ts';
import { meanConfidenceInterval } from '../eval/stats.ts';

export interface BenchmarkCell {
  task_id: string;
  policy: string;
  episodes: number;
  grade: { mean: number; ci95_half_width: number | null };
  aubc: { mean: number; ci95_half_width: number | null } | null;
  /** Mean held-out test accuracy of the final model. */
  test_accuracy: number;
  seconds: number;
}

export interface BenchmarkReport {
  seeds: number[];
  tasks: string[];
  policies: string[];
  cells: BenchmarkCell[];
  seconds: number;
}

/** The tasks the table covers by default: every task graded on a held-out test set. */
export function benchmarkTasks(): string[] {
  return TASK_IDS.filter((id) => {
    const f = getTask(id)?.family;
    return f === 'curation' || f === 'dataset';
  });
}

/** The strategies a task accepts, in registry order. */
export function taskStrategies(taskId: string): readonly string[] {
  const t = getTask(taskId);
  return t && 'strategies' in t ? (t.strategies as readonly string[]) : [];
}


export interface BenchmarkOptions {
  tasks: readonly string[];
  seeds: readonly number[];
  /** Strategy names to play as fixed policies (default: all any task accepts); `adaptive` is added. */
  strategies?: readonly string[];
  onCell?: (cell: BenchmarkCell, done: number, total: number) => void;
}

export async function runBenchmark(o: BenchmarkOptions): Promise<BenchmarkReport> {
  const all = [...new Set(o.tasks.flatMap((t) => taskStrategies(t)))];
  const strategies = o.strategies ?? all;
  const policies = [...strategies, 'adaptive'];
  const jobs = o.tasks.flatMap((task) => policies.filter((p) => p === 'adaptive' || taskStrategies(task).includes(p)).map((policy) => ({ task, policy })));
  const cells: BenchmarkCell[] = [];
  const t0 = performance.now();
  for (const { task, policy } of jobs) {
    const start = performance.now();
    const adaptive = BUILTIN_POLICIES.adaptive;
    const report = await evaluate(() => new InProcessEnvironment(), {
      policyName: policy,
      policy: policy === 'adaptive' ? adaptive.policy : fixedStrategyPolicy(policy),
      createPolicy: policy === 'adaptive' ? adaptive.create : undefined,
      tasks: [task],
      seeds: o.seeds,
    });
    const grades = report.episodes.map((e) => e.score);
    const aubcs = report.episodes.map((e) => e.breakdown.aubc).filter((v): v is number => typeof v === 'number');
    const g = meanConfidenceInterval(grades);
    const a = aubcs.length > 0 ? meanConfidenceInterval(aubcs) : null;
    const acc = report.episodes.map((e) => e.breakdown.test_accuracy as number);
    const cell: BenchmarkCell = {
      task_id: task,
      policy,
      episodes: report.episodes.length,
      grade: { mean: g.mean, ci95_half_width: g.halfWidth },
      aubc: a && { mean: a.mean, ci95_half_width: a.halfWidth },
      test_accuracy: acc.reduce((s, x) => s + x, 0) / acc.length,
      seconds: (performance.now() - start) / 1000,
    };
    cells.push(cell);
    o.onCell?.(cell, cells.length, jobs.length);
  }
  return { seeds: [...o.seeds], tasks: [...o.tasks], policies, cells, seconds: (performance.now() - t0) / 1000 };
}

const pm = (m: number, h: number | null) => (h === null ? m.toFixed(3) : `${m.toFixed(3)} ± ${h.toFixed(3)}`);

/**
 * Markdown: one table of mean grade ± 95 % CI half-width and one of mean AUBC (rows: policies,
 * columns: tasks), the best mean per column in bold, then the time each task took.
 */
export function formatBenchmarkMarkdown(r: BenchmarkReport): string {
  const cell = (task: string, policy: string) => r.cells.find((c) => c.task_id === task && c.policy === policy);
  const table = (title: string, value: (c: BenchmarkCell) => [number, number | null] | null) => {
    const lines = [`**${title}**`, '', `| policy | ${r.tasks.map((t) => `\`${t}\``).join(' | ')} |`, `|---|${r.tasks.map(() => '---').join('|')}|`];
    const best = new Map(
      r.tasks.map((t) => {
        const vals = r.policies.map((p) => cell(t, p)).filter((c): c is BenchmarkCell => !!c).map((c) => value(c)?.[0] ?? -Infinity);
        return [t, Math.max(...vals)];
      }),
    );
    for (const p of r.policies) {
      const row = r.tasks.map((t) => {
        const c = cell(t, p);
        const v = c && value(c);
        if (!v) return '—';
        const text = pm(v[0], v[1]);
        return v[0] === best.get(t) ? `**${text}**` : text;
      });
      lines.push(`| \`${p}\` | ${row.join(' | ')} |`);
    }
    return lines.join('\n');
  };
  const seedText = r.seeds.length > 1 && r.seeds.every((s, i) => i === 0 || s === r.seeds[i - 1] + 1) ? `${r.seeds[0]}..${r.seeds.at(-1)}` : r.seeds.join(',');
  const times = r.tasks.map((t) => `\`${t}\` ${r.cells.filter((c) => c.task_id === t).reduce((s, c) => s + c.seconds, 0).toFixed(0)} s`).join(', ');
  return [
    `${r.seeds.length} seeds (${seedText}), fixed policies \`{strategy: 1}\` batch 10 and \`adaptive\`; mean ± 95 % CI half-width (Student t).`,
    '',
    table('Grade (score in [0, 1])', (c) => [c.grade.mean, c.grade.ci95_half_width]),
    '',
    table('AUBC (area under the test-accuracy budget curve, [0, 1])', (c) => (c.aubc ? [c.aubc.mean, c.aubc.ci95_half_width] : null)),
    '',
    `Time: ${r.seconds.toFixed(0)} s in all (${times}).`,
    '',
  ].join('\n');
}
