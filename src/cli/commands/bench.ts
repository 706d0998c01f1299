import type { Command } from 'commander';
import { measureInproc } from '../../bench/inproc.ts';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('measure the environment (see also npm run bench)');
  bench
    .command('inproc')
    .description('median in-process reset and step time (balanced action, batch 10)')
    .option('--task <task>', 'task id', 'easy')
    .option('--episodes <n>', 'timed episodes', (v) => Number.parseInt(v, 10), 200)
    .option('--json', 'print one JSON line {"reset_ms", "step_ms"}')
    .action((opts: { task: string; episodes: number; json?: boolean }) => {
      const f = measureInproc(opts.task, { episodes: opts.episodes });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ reset_ms: f.reset_ms, step_ms: f.step_ms })}\n`);
      } else {
        process.stdout.write(
          `${f.task}: reset ${f.reset_ms.toFixed(4)} ms (median of ${f.resets}), step ${f.step_ms.toFixed(4)} ms (median of ${f.steps})\n`,
        );
      }
    });
}
