/**
 * How commands report a failure: one line on stderr with the error's code and reason (and, with
 * --json, a JSON object on stdout), never a stack trace. Exit codes: 2 when the command line is
 * wrong (a bad option value, an unknown task or policy, a path that does not exist or is not what
 * the command needs), 1 when a valid command failed (mismatches, a server unreachable or refusing).
 * `DATASELECTENV_DEBUG=1` adds the stack, for bug reports.
 */
/** A bad command-line argument: exit code 2, like commander's own usage errors. */
export class UsageError extends Error {
  readonly code = 'USAGE_ERROR';
  readonly reason = 'invalid_argument';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses a command-line argument with a library parser that throws RangeError for a bad value
 * (seed and task lists): that RangeError is the user's usage error. Any other RangeError, thrown
 * later while the command runs, is a failure (exit 1), not a usage error.
 */
export function parseArgument<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** Codes whose errors are the user's command line rather than the run (exit 2). */
const USAGE_CODES = new Set(['USAGE_ERROR', 'INPUT_ERROR', 'POLICY_ERROR']);
/** Reasons, under other codes, that still mean a wrong argument: an unknown task, a malformed URL. */
const USAGE_REASONS = new Set(['invalid_task', 'invalid_url']);

export function describeError(e: unknown): { code: string; reason: string; message: string } {
  const err = e as { code?: unknown; reason?: unknown; message?: unknown; syscall?: unknown; path?: unknown };
  // Node's system errors (ENOENT, EACCES, …) from reading or writing a file the user named.
  if (typeof err?.syscall === 'string' && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
    const what = typeof err.path === 'string' ? `${err.path}: ` : '';
    const cause = String(err.message ?? '').replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return { code: 'IO_ERROR', reason: err.code.toLowerCase(), message: `${what}${cause}` };
  }
  const code = typeof err?.code === 'string' && /^[A-Z_]+$/.test(err.code) ? err.code : 'ERROR';
  const reason = typeof err?.reason === 'string' ? err.reason : 'unexpected';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return { code, reason, message };
}

/** The exit code for an error: 2 for a wrong command line, else 1. */
export function exitCodeFor(e: unknown): number {
  const d = describeError(e);
  return USAGE_CODES.has(d.code) || USAGE_REASONS.has(d.reason) ? 2 : 1;
}

export function reportError(e: unknown, json?: boolean): void {
  const d = describeError(e);
  if (json) writeQuietly(process.stdout, `${JSON.stringify({ error: d })}\n`);
  writeQuietly(process.stderr, `error [${d.code}/${d.reason}]: ${d.message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (process.env.DATASELECTENV_DEBUG && e instanceof Error && e.stack) writeQuietly(process.stderr, `${e.stack}\n`);
  process.exitCode = exitCodeFor(e);
}

/** Writes, ignoring a stream already closed by its reader (`| head`). */
function writeQuietly(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed && stream.writable) stream.write(text);
}

/** An integer option from 1 to `max`, else a usage error (exit 2). */
export function parsePositiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be an integer from 1 to ${max}, got '${value}'`);
  return n;
}

/**
 * A reader that closed our stdout (`… --json | head -c 300`) ends the command quietly: EPIPE is
 * not an error of the command, so it exits with the code it has so far, printing nothing.
 */
export function exitQuietlyOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}
