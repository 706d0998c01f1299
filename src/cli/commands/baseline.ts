import type { Command } from 'commander';
import { runBaseline } from '../../env/baseline.ts';

export function registerBaseline(program: Command): void {
  program
    .command('baseline')
    .description("run the original's balanced baseline agent (seed 42) on every task and grade it")
    .option('--json', 'print the /baseline JSON')
    .action((opts: { json?: boolean }) => {
      const report = runBaseline();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      process.stdout.write(`baseline agent: ${report.baseline_agent}, seed ${report.seed}\n`);
      for (const [task, r] of Object.entries(report.results)) {
        const breakdown = Object.entries(r.breakdown).map(([k, v]) => `${k}=${v}`).join(' ');
        process.stdout.write(
          `${task.padEnd(7)} score ${String(r.score).padEnd(20)} ${r.passed ? 'PASS' : 'FAIL'}  total_reward ${r.total_reward}  final_performance ${r.final_performance}  (${breakdown})\n`,
        );
      }
    });
}
