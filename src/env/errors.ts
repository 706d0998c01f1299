/**
 * Errors are values with a stable machine-readable `code` (OpenEnv's upper-case category) and
 * `reason` (the specific lower-case cause), as docs/protocol.md §5 lists them. Transports map them to
 * statuses and frames; the environment never changes state when it throws one.
 */

export type ErrorCode =
  | 'INVALID_JSON'
  | 'VALIDATION_ERROR'
  | 'UNKNOWN_TYPE'
  | 'EXECUTION_ERROR'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'CAPACITY_REACHED'
  | 'SESSION_ERROR'
  | 'CONFLICT'
  | 'STORE_UNAVAILABLE';

export type ErrorReason =
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'unknown_type'
  | 'invalid_request'
  | 'invalid_action'
  | 'invalid_task'
  | 'task_mismatch'
  | 'episode_exists'
  | 'no_episode'
  | 'episode_over'
  | 'episode_not_found'
  | 'episode_not_finished'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'capacity_reached'
  | 'session_expired'
  | 'session_not_found'
  | 'session_in_use'
  | 'step_conflict'
  | 'episode_in_use'
  | 'store_unavailable'
  | 'store_corrupt'
  | 'replay_mismatch'
  | 'invalid_split'
  | 'index_out_of_range'
  | 'range_too_large'
  | 'unknown_environment'
  | 'internal';

/** One validation problem, in FastAPI's `detail` entry shape; `loc` is relative to the checked value. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class EnvError extends Error {
  readonly code: ErrorCode;
  readonly reason: ErrorReason;
  readonly issues: ValidationIssue[];

  constructor(code: ErrorCode, reason: ErrorReason, message: string, issues: ValidationIssue[] = []) {
    super(message);
    this.name = 'EnvError';
    this.code = code;
    this.reason = reason;
    this.issues = issues;
  }
}

export const MESSAGES = {
  noEpisode: 'No active episode. Call POST /reset first.',
  episodeOver: 'Episode is over. Call POST /reset to start a new episode.',
} as const;

export function invalidAction(issues: ValidationIssue[]): EnvError {
  const first = issues[0];
  const where = first ? first.loc.join('.') || 'action' : 'action';
  return new EnvError('VALIDATION_ERROR', 'invalid_action', `Invalid action: ${where}: ${first?.msg ?? 'invalid'}`, issues);
}

export function invalidRequest(issues: ValidationIssue[], message?: string): EnvError {
  const first = issues[0];
  return new EnvError(
    'VALIDATION_ERROR',
    'invalid_request',
    message ?? `Invalid request: ${first ? `${first.loc.join('.')}: ${first.msg}` : 'invalid'}`,
    issues,
  );
}

/** A known task id given to the other family's environment class. */
export function wrongFamily(taskId: string, family: string, envClass: string): EnvError {
  return new EnvError(
    'VALIDATION_ERROR',
    'invalid_task',
    `Task '${taskId}' belongs to the ${family} family, which ${envClass} does not run: create its environment with makeEnv('${taskId}').`,
  );
}

export function unknownTask(taskId: string, valid: readonly string[]): EnvError {
  const list = `[${valid.map((t) => `'${t}'`).join(', ')}]`;
  return new EnvError('VALIDATION_ERROR', 'invalid_task', `Unknown task_id '${taskId}'. Valid: ${list}`);
}
