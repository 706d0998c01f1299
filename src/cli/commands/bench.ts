import type { Command } from 'commander';
import { measureInproc } from '../../eval/timing.ts';
import { parseTasks } from '../../eval/run.ts';
import { UsageError, parseArgument, parsePositiveInt, reportError } from '../errors.ts';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('measure the environment (see also npm run bench)');
  bench
    .command('inproc')
    .description('median in-process reset and step time (balanced action, batch 10)')
    .option('--task <task>', 'task id', 'easy')
    .option('--episodes <n>', 'timed episodes', '200')
    .option('--json', 'print one JSON line {"reset_ms", "step_ms"}')
    .addHelpText('after', '\nExample:\n  dataselectenv bench inproc --task hard --json')
    .action((opts: { task: string; episodes: string; json?: boolean }) => {
      try {
        const tasks = parseArgument(() => parseTasks(opts.task));
        if (tasks.length !== 1) throw new UsageError(`--task takes one task id, got '${opts.task}'`);
        const task = tasks[0];
        const f = measureInproc(task, { episodes: parsePositiveInt(opts.episodes, '--episodes', 1_000_000) });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ reset_ms: f.reset_ms, step_ms: f.step_ms })}\n`);
        } else {
          process.stdout.write(
            `${f.task}: reset ${f.reset_ms.toFixed(4)} ms (median of ${f.resets}), step ${f.step_ms.toFixed(4)} ms (median of ${f.steps})\n`,
          );
        }
      } catch (e) {
        reportError(e, opts.json);
      }
    });
}
