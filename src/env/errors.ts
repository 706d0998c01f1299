/**
 * The environment's refusals: a stable machine-readable `reason` (the specific lower-case cause)
 * and, for validation problems, located `issues`. They speak of the environment only — no status,
 * no transport, no wire category: a transport maps each reason to its own answer (the server:
 * src/protocol/errors.ts and src/server/errors.ts). The environment never changes state when it
 * throws one.
 */

export const ENV_REASONS = [
  /** Bad reset options (seed, task_id field, split selection). */
  'invalid_request',
  /** The action does not satisfy the action space. */
  'invalid_action',
  /** Unknown task id, or a task of another family / split. */
  'invalid_task',
  /** step()/state()/grade() before any reset(). */
  'no_episode',
  /** step() after the episode terminated or was truncated. */
  'episode_over',
  /** grade() of an episode that is not finished. */
  'episode_not_finished',
  /** Task API selections: unknown split, index outside it, range too long. */
  'invalid_split',
  'index_out_of_range',
  'range_too_large',
  /** A broken invariant (a bug, never an input). */
  'internal',
] as const;
export type EnvReason = (typeof ENV_REASONS)[number];

/** One validation problem, in FastAPI's `detail` entry shape; `loc` is relative to the checked value. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class EnvError extends Error {
  readonly reason: EnvReason;
  readonly issues: ValidationIssue[];

  constructor(reason: EnvReason, message: string, issues: ValidationIssue[] = []) {
    super(message);
    this.name = 'EnvError';
    this.reason = reason;
    this.issues = issues;
  }
}

/** What the environment says to an in-process caller (transports say it their way). */
export const MESSAGES = {
  noEpisode: 'No active episode: call reset() first.',
  episodeOver: 'Episode is over: call reset() to start a new episode.',
} as const;

export function invalidAction(issues: ValidationIssue[]): EnvError {
  const first = issues[0];
  const where = first ? first.loc.join('.') || 'action' : 'action';
  return new EnvError('invalid_action', `Invalid action: ${where}: ${first?.msg ?? 'invalid'}`, issues);
}

export function invalidRequest(issues: ValidationIssue[], message?: string): EnvError {
  const first = issues[0];
  return new EnvError(
    'invalid_request',
    message ?? `Invalid request: ${first ? `${first.loc.join('.')}: ${first.msg}` : 'invalid'}`,
    issues,
  );
}

/** A known task id given to the other family's environment class. */
export function wrongFamily(taskId: string, family: string, envClass: string): EnvError {
  return new EnvError(
    'invalid_task',
    `Task '${taskId}' belongs to the ${family} family, which ${envClass} does not run: create its environment with makeEnv('${taskId}').`,
  );
}

export function unknownTask(taskId: string, valid: readonly string[]): EnvError {
  const list = `[${valid.map((t) => `'${t}'`).join(', ')}]`;
  return new EnvError('invalid_task', `Unknown task_id '${taskId}'. Valid: ${list}`);
}
