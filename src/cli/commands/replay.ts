import type { Command } from 'commander';
import { getTask } from '../../env/tasks.ts';
import { FAMILIES, findFamily, fixturesDir } from '../../fixtures/bundle.ts';
import { replayInProcess } from '../../replay/inprocess.ts';
import { replayAllOverHttp } from '../../replay/remote.ts';
import { loadTraces, summarise, tracesOf, type LoadedTrace, type TraceResult } from '../../replay/trace.ts';
import { parsePositiveInt, reportError } from '../errors.ts';
import { API_KEY_ENV, apiKeyHeaders, serverApiKey } from '../api-key.ts';

export interface ReplayOptions {
  json?: boolean;
  url?: string;
  apiKey?: string;
  concurrency: string;
}

/**
 * The traces replayed without arguments: every family bundled in fixturesDir() whose tasks this
 * build registers (a family whose tasks are not available is listed as skipped, not failed).
 */
function defaultTraces(): { traces: LoadedTrace[]; skipped: string[] } {
  const traces: LoadedTrace[] = [];
  const skipped: string[] = [];
  for (const family of FAMILIES) {
    const files = findFamily(family);
    if (!files) continue;
    const all = tracesOf(files);
    const unknown = all.find((t) => getTask(t.trace.task_id) === undefined);
    if (unknown) skipped.push(`${family}: ${all.length} traces skipped (task '${unknown.trace.task_id}' is not available)`);
    else traces.push(...all);
  }
  return { traces, skipped };
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay golden traces and compare every number (tolerance 1e-9); exit 0 only if all match')
    .argument(
      '[paths...]',
      'trace files, bundles (*.jsonl.gz), or folders of either; default: the bundled fixtures (fixtures/, or DATASELECTENV_FIXTURES)',
    )
    .option('--url <url>', 'replay against a running server instead of in process')
    .option('--api-key <key>', `with --url: API key of a server started with API_KEYS (env ${API_KEY_ENV})`)
    .option('--concurrency <n>', 'with --url: traces replayed at once, each naming its episode', '8')
    .option('--json', 'print a machine-readable report')
    .addHelpText(
      'after',
      '\nTrace format and comparison rule: docs/fixtures.md.\n\nExamples:\n  dataselectenv replay                                # every bundled trace, in process\n  dataselectenv replay --url http://localhost:7860    # the same against a server\n  dataselectenv replay ../reference/golden/traces     # another folder of traces',
    )
    .action(async (paths: string[], opts: ReplayOptions) => {
      try {
        const concurrency = parsePositiveInt(opts.concurrency, '--concurrency', 256);
        const { traces, skipped } = paths.length > 0 ? { traces: loadTraces(paths), skipped: [] } : defaultTraces();
        if (traces.length === 0) throw Object.assign(new Error(`no golden traces found in ${fixturesDir()}`), { code: 'INPUT_ERROR', reason: 'no_traces' });
        let results: TraceResult[];
        if (opts.url) {
          results = await replayAllOverHttp(traces, opts.url, concurrency, apiKeyHeaders(serverApiKey(opts.apiKey)));
        } else {
          results = traces.map(replayInProcess);
        }
        const report = summarise(results);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...report, skipped })}\n`);
        } else {
          for (const r of report.results) if (!r.ok) process.stdout.write(`MISMATCH ${r.name}: ${r.difference}\n`);
          for (const s of skipped) process.stdout.write(`${s}\n`);
          process.stdout.write(`fidelity: ${report.matched}/${report.total} traces match\n`);
        }
        process.exitCode = report.total > 0 && report.matched === report.total ? 0 : 1;
      } catch (e) {
        reportError(e, opts.json);
      }
    });
}
