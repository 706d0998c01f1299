/**
 * How commands report a failure: one line on stderr with the error's code and reason (or a JSON
 * object on stdout with --json), and exit code 1. Usage errors (bad flags) exit 2 via commander.
 */
export function describeError(e: unknown): { code: string; reason: string; message: string } {
  const err = e as { code?: unknown; reason?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' && /^[A-Z_]+$/.test(err.code) ? err.code : e instanceof RangeError ? 'USAGE_ERROR' : 'ERROR';
  const reason = typeof err?.reason === 'string' ? err.reason : e instanceof RangeError ? 'invalid_argument' : 'unexpected';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return { code, reason, message };
}

export function reportError(e: unknown, json?: boolean): void {
  const d = describeError(e);
  if (json) process.stdout.write(`${JSON.stringify({ error: d })}\n`);
  process.stderr.write(`error [${d.code}/${d.reason}]: ${d.message}\n`);
  process.exitCode = d.code === 'USAGE_ERROR' ? 2 : 1;
}

/** An integer option from 1 to `max`, else a RangeError (a usage error: exit 2). */
export function parsePositiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`${flag} must be an integer from 1 to ${max}, got '${value}'`);
  return n;
}
