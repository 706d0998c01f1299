import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { benchmarkTasks, formatBenchmarkMarkdown, runBenchmark, taskStrategies } from '../benchmark.ts';
import { parseSeeds, parseTasks } from '../../eval/run.ts';
import { actionWithDataset, type DatasetFlags } from '../dataset-option.ts';
import { UsageError, parseArgument } from '../errors.ts';

interface BenchmarkFlags extends DatasetFlags {
  tasks?: string;
  seeds: string;
  strategies?: string;
  out?: string;
  json?: boolean;
}

export function registerBenchmark(program: Command): void {
  const cmd = program
    .command('benchmark')
    .description('the benchmark table: every held-out task × every strategy it accepts as a fixed policy, plus adaptive; mean grade and AUBC with 95% CIs (markdown)')
    .option('--tasks <list>', 'comma-separated task ids (default: every curation and data-set task)')
    .option('--seeds <spec>', 'seeds: N, A..B, or a comma list of them', '0..29')
    .option('--strategies <list>', 'strategies to play as fixed policies (default: every strategy a task accepts)')
    .option('--out <file>', 'also write the full report as JSON')
    .option('--json', 'print the report as JSON instead of markdown')
    .addHelpText(
      'after',
      '\nEach cell plays {strategy: 1} with batch 10 until the episode ends (adaptive: the reference rule of docs/curation.md),\nin process, one episode after another; progress on stderr.\n\nExamples:\n  dataselectenv benchmark                                  # the README table (30 seeds)\n  dataselectenv benchmark --tasks iris,wine --seeds 0..9 --strategies margin,coreset',
    );
  actionWithDataset(cmd, async (flags: BenchmarkFlags, csvTask) => {
    const tasks = flags.tasks ? parseArgument(() => parseTasks(flags.tasks!)) : [...benchmarkTasks(), ...(csvTask && !benchmarkTasks().includes(csvTask) ? [csvTask] : [])];
    const seeds = parseArgument(() => parseSeeds(flags.seeds));
    let strategies: string[] | undefined;
    if (flags.strategies) {
      strategies = flags.strategies.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const known = new Set(tasks.flatMap((t) => taskStrategies(t)));
      const bad = strategies.filter((s) => !known.has(s));
      if (bad.length > 0) throw new UsageError(`unknown strategy '${bad[0]}' for these tasks (known: ${[...known].join(', ')})`);
    }
    const report = await runBenchmark({
      tasks,
      seeds,
      strategies,
      onCell: (c, done, total) =>
        process.stderr.write(`[${done}/${total}] ${c.task_id} ${c.policy}: grade ${c.grade.mean.toFixed(3)}${c.aubc ? `, AUBC ${c.aubc.mean.toFixed(3)}` : ''} (${c.seconds.toFixed(1)} s)\n`),
    });
    if (flags.out) writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatBenchmarkMarkdown(report));
  });
}
