/**
 * `dataselectenv export`: finished episodes as JSON Lines, from a store file (default: the
 * server's DATA_DIR/episodes.sqlite) or from a running server (`--url`, which streams
 * GET /episodes?format=…). One episode in memory at a time; a progress bar on a terminal.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { normaliseBaseUrl } from '../../client/http.ts';
import { getTask } from '../../env/tasks.ts';
import { EXPORT_FORMATS, exportEpisodes, exportLine, parseTime, type ExportFilter, type ExportFormat } from '../../server/export.ts';
import { UsageError, reportError } from '../errors.ts';
import { silenceSqliteExperimentalWarning } from '../../server/start.ts';

interface ExportOptions {
  url?: string;
  storePath?: string;
  dataDir?: string;
  format: string;
  task?: string;
  label?: string;
  since?: string;
  until?: string;
  limit?: string;
  out?: string;
  json?: boolean;
}

function usage(message: string): never {
  throw new UsageError(message);
}

function filterOf(opts: ExportOptions): ExportFilter {
  const f: ExportFilter = {};
  if (opts.task !== undefined) {
    if (!getTask(opts.task)) usage(`--task: unknown task '${opts.task}'`);
    f.task_id = opts.task;
  }
  if (opts.label !== undefined) f.label = opts.label;
  for (const [flag, key] of [['since', 'sinceMs'], ['until', 'untilMs']] as const) {
    const text = opts[flag];
    if (text === undefined) continue;
    const ms = parseTime(text);
    if (ms === null) usage(`--${flag} must be an ISO 8601 date/time or epoch milliseconds, got '${text}'`);
    f[key] = ms;
  }
  if (opts.limit !== undefined) {
    if (!/^[1-9][0-9]{0,14}$/.test(opts.limit)) usage(`--limit must be a positive integer, got '${opts.limit}'`);
    f.limit = Number(opts.limit);
  }
  return f;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** From a server: its streamed export, passed through line by line. */
async function fromServer(url: string, format: ExportFormat, f: ExportFilter, out: Writable, tick: () => void): Promise<number> {
  const q = new URLSearchParams({ format });
  if (f.task_id !== undefined) q.set('task_id', f.task_id);
  if (f.label !== undefined) q.set('label', f.label);
  if (f.sinceMs !== undefined) q.set('since', String(f.sinceMs));
  if (f.untilMs !== undefined) q.set('until', String(f.untilMs));
  if (f.limit !== undefined) q.set('limit', String(f.limit));
  const target = `${normaliseBaseUrl(url)}/episodes?${q}`;
  let res: Response;
  try {
    res = await fetch(target);
  } catch (e) {
    throw Object.assign(new Error(`cannot reach ${target}: ${(e as Error).message}`), { code: 'CONNECTION_ERROR', reason: 'unreachable' });
  }
  if (res.status !== 200 || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { detail?: unknown; code?: string; reason?: string };
    const detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail ?? `HTTP ${res.status}`);
    throw Object.assign(new Error(`${target}: ${detail}`), { code: body.code ?? 'EXECUTION_ERROR', reason: body.reason ?? 'http_error' });
  }
  let n = 0;
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      await write(out, rest.slice(0, nl + 1));
      rest = rest.slice(nl + 1);
      n++;
      tick();
    }
  }
  if (rest !== '') throw Object.assign(new Error('the server ended the export mid-line (see its log)'), { code: 'EXECUTION_ERROR', reason: 'truncated' });
  return n;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write finished episodes as JSON Lines (every step, reward terms, the grade), from a store file or a server')
    .option('--url <url>', 'read from a running server (GET /episodes?format=…) instead of a store file')
    .option('--store-path <file>', 'the store file (env STORE_PATH; default DATA_DIR/episodes.sqlite)')
    .option('--data-dir <dir>', 'the data directory (env DATA_DIR, default ./data)')
    .option('--format <format>', `${EXPORT_FORMATS.join(' | ')} (openenv: the row shape of OpenEnv's results.jsonl)`, 'jsonl')
    .option('--task <id>', 'only this task')
    .option('--label <label>', 'only episodes started with this label')
    .option('--since <time>', 'finished at or after (ISO 8601 or epoch ms)')
    .option('--until <time>', 'finished before (ISO 8601 or epoch ms)')
    .option('--limit <n>', 'at most n episodes (newest first)')
    .option('--out <file>', 'write to a file (default: stdout)')
    .option('--json', 'machine output: no progress bar; with --out, a JSON summary on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  dataselectenv export --out episodes.jsonl\n  dataselectenv export --url http://localhost:7860 --task hard --label my-run --format openenv --out results.jsonl',
    )
    .action(async (opts: ExportOptions) => {
      let closeStore: (() => Promise<void>) | null = null;
      try {
        if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) usage(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got '${opts.format}'`);
        const format = opts.format as ExportFormat;
        const filter = filterOf(opts);
        const out: Writable = opts.out ? createWriteStream(opts.out) : process.stdout;
        const bar =
          !opts.json && process.stderr.isTTY === true
            ? new cliProgress.SingleBar({ stream: process.stderr, format: 'export {bar} {value}/{total} episodes', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
            : null;
        let n = 0;
        if (opts.url !== undefined) {
          bar?.start(0, 0);
          n = await fromServer(opts.url, format, filter, out, () => bar?.increment());
        } else {
          const file = opts.storePath ?? process.env.STORE_PATH ?? path.join(opts.dataDir ?? process.env.DATA_DIR ?? './data', 'episodes.sqlite');
          // Loaded here, not at start-up: node:sqlite is only needed (and only warns) for this mode.
          silenceSqliteExperimentalWarning();
          const { openSqliteStore } = await import('../../server/store/sqlite.ts');
          // No retention here: an export never evicts anything.
          const store = openSqliteStore({ file, retention: { maxCount: 0, maxAgeS: 0, unfinishedIdleS: 0 } });
          closeStore = () => store.close();
          bar?.start(filter.limit ?? (await store.countFinished()), 0);
          for await (const e of exportEpisodes(store, filter)) {
            await write(out, exportLine(e, format));
            n++;
            bar?.increment();
          }
        }
        bar?.stop();
        if (opts.out) {
          out.end();
          await once(out, 'finish');
          if (opts.json) process.stdout.write(`${JSON.stringify({ episodes: n, format, out: opts.out })}\n`);
          else process.stderr.write(`exported ${n} episodes (${format}) to ${opts.out}\n`);
        }
      } catch (e) {
        reportError(e, opts.json);
      } finally {
        await closeStore?.();
      }
    });
}
