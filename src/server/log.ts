/**
 * Server log output. fastify logs through pino, one JSON object per line — right for a log
 * collector (`LOG_FORMAT=json`), hard to read in a terminal. The default `text` format turns each
 * record into one line ("20:41:07.512 INFO  Server listening at http://127.0.0.1:7860"), with any
 * extra fields as key=value and an error's stack indented below.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown by position rather than as key=value. */
const OWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** One pino JSON line → one readable line (a line that is not JSON passes through unchanged). */
export function formatLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVELS[rec.level as number] ?? String(rec.level ?? '');
  const time = typeof rec.time === 'number' ? clock(rec.time) : '';
  const extras = Object.entries(rec)
    .filter(([k]) => !OWN.has(k))
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  let out = [time, level.padEnd(5), String(rec.msg ?? ''), ...extras].filter((s) => s !== '').join(' ');
  const err = rec.err as { message?: string; stack?: string } | undefined;
  if (err) {
    const stack = err.stack ?? err.message ?? JSON.stringify(err);
    out += `\n${stack
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}`;
  }
  return `${out}\n`;
}

/** A pino destination that writes readable lines to `out` (stdout by default). */
export function textLogStream(out: { write(chunk: string): unknown } = process.stdout): { write(line: string): void } {
  return {
    write(chunk: string) {
      // pino writes whole records, one per call, each ending in a newline.
      for (const line of chunk.split('\n')) if (line !== '') out.write(formatLogLine(line));
    },
  };
}

/**
 * The addresses a person opens, for the start-up line: the bound host, or `localhost` when the
 * server listens on every interface.
 */
export function servedUrls(address: AddressInfo, web: boolean): { api: string; docs: string; console: string | null } {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  return { api: `${base}/`, docs: `${base}/docs`, console: web ? `${base}/web` : null };
}

/** Logs, once the server listens, the one line that says where to go. */
export function logServedUrls(app: FastifyInstance, web: boolean, format: LogFormat): void {
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (!address || typeof address === 'string') return;
    const u = servedUrls(address, web);
    const parts = [u.console ? `console ${u.console}` : null, `API ${u.api}`, `docs ${u.docs}`].filter(Boolean);
    const line = `DataSelectEnv ready: ${parts.join(' | ')}`;
    // JSON logs also carry the addresses as a field, for whatever reads them.
    if (format === 'json') app.log.info({ urls: u }, line);
    else app.log.info(line);
  });
}
