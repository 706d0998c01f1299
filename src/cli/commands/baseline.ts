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
      // Every real to 4 decimals, as the grader rounds (the easy score is unrounded in the JSON,
      // the original's quirk; --json keeps the exact values).
      const fixed = (v: number) => v.toFixed(4);
      for (const [task, r] of Object.entries(report.results)) {
        const breakdown = Object.entries(r.breakdown).map(([k, v]) => `${k}=${k === 'budget_used' || typeof v !== 'number' ? v : fixed(v)}`).join(' ');
        process.stdout.write(
          `${task.padEnd(7)} score ${fixed(r.score)}  ${r.passed ? 'PASS' : 'FAIL'}  total_reward ${fixed(r.total_reward)}  final_performance ${fixed(r.final_performance)}  (${breakdown})\n`,
        );
      }
    });
}
