/**
 * Errors as the protocol answers them (docs/protocol.md §5): an upper-case `code` (OpenEnv's
 * category), a lower-case `reason`, the message the wire carries, and located `issues`.
 *
 * The environment core throws `EnvError`s that name environment reasons only; `fromEnvError` turns
 * one into its wire form — the category of each reason, and for the two refusals whose text
 * tells the user what to send next ("call reset() first") the transports' own wording. Everything
 * the service refuses by itself (unknown episode ids, store failures, framing, capacity, sessions)
 * is an `ApiError` from the start. Node-free, like the rest of src/protocol.
 */
import { EnvError, type EnvReason, type ValidationIssue } from '../env/errors.ts';
import type { ErrorCode, ErrorReason } from './wire.ts';

/** Refusals decided before a request reaches the protocol (src/server/security): never an ApiError. */
export type RefusalReason =
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'rate_limited'
  | 'request_timeout'
  | 'headers_too_large'
  | 'uri_too_long'
  | 'invalid_url'
  | 'malformed_request';

/** The reasons an ApiError carries: the environment's and the service's own. */
export type ApiReason = Exclude<ErrorReason, RefusalReason>;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly reason: ApiReason;
  readonly issues: ValidationIssue[];

  constructor(code: ErrorCode, reason: ApiReason, message: string, issues: ValidationIssue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.issues = issues;
  }
}

/** The wire category of each environment reason. */
export const ENV_ERROR_CODES: Readonly<Record<EnvReason, ErrorCode>> = {
  invalid_request: 'VALIDATION_ERROR',
  invalid_action: 'VALIDATION_ERROR',
  invalid_task: 'VALIDATION_ERROR',
  invalid_split: 'VALIDATION_ERROR',
  index_out_of_range: 'VALIDATION_ERROR',
  range_too_large: 'VALIDATION_ERROR',
  no_episode: 'EXECUTION_ERROR',
  episode_over: 'EXECUTION_ERROR',
  internal: 'EXECUTION_ERROR',
  episode_not_finished: 'NOT_FOUND',
};

/**
 * The wire texts of the refusals that tell the user what to do next (the original's words, which
 * OpenEnv clients show); a transport with its own way of starting an episode passes its own text
 * where it raises the refusal itself (the WebSocket's reset message, the MCP start_episode tool).
 */
export const WIRE_MESSAGES = {
  noEpisode: 'No active episode. Call POST /reset first.',
  episodeOver: 'Episode is over. Call POST /reset to start a new episode.',
} as const;

const WIRE_TEXT: Partial<Record<EnvReason, string>> = {
  no_episode: WIRE_MESSAGES.noEpisode,
  episode_over: WIRE_MESSAGES.episodeOver,
};

/** An environment refusal as the protocol answers it. */
export function fromEnvError(e: EnvError): ApiError {
  return new ApiError(ENV_ERROR_CODES[e.reason], e.reason, WIRE_TEXT[e.reason] ?? e.message, e.issues);
}

/** The protocol form of a thrown value: an ApiError as is, an EnvError translated, anything else null. */
export function asApiError(e: unknown): ApiError | null {
  if (e instanceof ApiError) return e;
  if (e instanceof EnvError) return fromEnvError(e);
  return null;
}

/** A request that does not satisfy its schema (422), located FastAPI-style. */
export function invalidRequest(issues: ValidationIssue[], message?: string): ApiError {
  const first = issues[0];
  return new ApiError(
    'VALIDATION_ERROR',
    'invalid_request',
    message ?? `Invalid request: ${first ? `${first.loc.join('.')}: ${first.msg}` : 'invalid'}`,
    issues,
  );
}
