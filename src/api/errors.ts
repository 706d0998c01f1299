/**
 * Errors every `Environment` implementation throws: one class, carrying the server's `code` /
 * `reason` vocabulary (docs/protocol.md §5) when the server (or the in-process environment) refused
 * the request, or a client-side code when the request never got an answer.
 */
import { EnvError, type ValidationIssue } from '../env/errors.ts';
import { ENV_ERROR_CODES } from '../protocol/errors.ts';

/** Codes that only a client produces (no server answer to read a code from). */
export type ClientSideCode =
  /** No answer within the timeout. */
  | 'TIMEOUT'
  /** The server could not be reached (refused, DNS, reset before an answer). */
  | 'CONNECTION_ERROR'
  /** The WebSocket closed: its episode is gone (docs/protocol.md §3.1); reset() reconnects. */
  | 'CONNECTION_LOST'
  /** The server answered something that does not follow the protocol. */
  | 'PROTOCOL_ERROR';

export class ClientError extends Error {
  /** Upper-case category: the server's `code` (VALIDATION_ERROR, NOT_FOUND, …) or a ClientSideCode. */
  readonly code: string;
  /** Lower-case specific cause: the server's `reason` (invalid_action, episode_over, …) or a client one. */
  readonly reason: string;
  /** HTTP status when the error came from an HTTP answer. */
  readonly status: number | undefined;
  /** Validation problems (FastAPI `detail` entries / WebSocket `errors`), when the server sent them. */
  readonly issues: ValidationIssue[];

  constructor(
    code: string,
    reason: string,
    message: string,
    extra: { status?: number; issues?: ValidationIssue[]; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ClientError';
    this.code = code;
    this.reason = reason;
    this.status = extra.status;
    this.issues = extra.issues ?? [];
  }

  override toString(): string {
    return `${this.name} [${this.code}/${this.reason}${this.status ? ` HTTP ${this.status}` : ''}]: ${this.message}`;
  }

  /**
   * Same vocabulary for in-process refusals, so callers switch on `code`/`reason` whatever the
   * transport: the reason's wire category, the environment's own message.
   */
  static fromEnvError(e: EnvError): ClientError {
    return new ClientError(ENV_ERROR_CODES[e.reason], e.reason, e.message, { issues: e.issues, cause: e });
  }
}

export function isClientError(e: unknown): e is ClientError {
  return e instanceof ClientError;
}

/** Runs `fn`, turning an `EnvError` into the equivalent `ClientError`. */
export function translateEnvErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EnvError) throw ClientError.fromEnvError(e);
    throw e;
  }
}
