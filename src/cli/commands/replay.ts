import type { Command } from 'commander';
import { replayInProcess } from '../../replay/inprocess.ts';
import { replayAllOverHttp } from '../../replay/remote.ts';
import { loadTraces, summarise, type TraceResult } from '../../replay/trace.ts';

export interface ReplayOptions {
  json?: boolean;
  url?: string;
  concurrency: number;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay golden traces and compare every number (tolerance 1e-9); exit 0 only if all match')
    .argument('<paths...>', 'trace files or directories of traces')
    .option('--url <url>', 'replay against a running server instead of in process')
    .option('--concurrency <n>', 'with --url: traces replayed at once, each naming its episode', (v) => Number.parseInt(v, 10), 8)
    .option('--json', 'print a machine-readable report')
    .action(async (paths: string[], opts: ReplayOptions) => {
      const traces = loadTraces(paths);
      let results: TraceResult[];
      if (opts.url) {
        results = await replayAllOverHttp(traces, opts.url, opts.concurrency);
      } else {
        results = traces.map(replayInProcess);
      }
      const report = summarise(results);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        for (const r of report.results) if (!r.ok) process.stdout.write(`MISMATCH ${r.name}: ${r.difference}\n`);
        process.stdout.write(`fidelity: ${report.matched}/${report.total} traces match\n`);
      }
      process.exitCode = report.total > 0 && report.matched === report.total ? 0 : 1;
    });
}
