/**
 * Errors on the wire (docs/protocol.md §5): an ApiError (or an environment's EnvError, translated by
 * src/protocol/errors.ts) → HTTP status and `{detail, code, reason}` body, or → WebSocket error frame. Also the fastify error handler and the 404/405 handler, so that no
 * input ever produces a 5xx: only a bug does, and it is logged and answered as `internal`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ValidationIssue } from '../env/errors.ts';
import { ApiError, asApiError, type ApiReason } from '../protocol/errors.ts';
import { ProblemError, sendProblem } from './security/problem.ts';

const STATUS: Record<ApiReason, number> = {
  invalid_json: 422,
  unsupported_media_type: 415,
  unknown_type: 400,
  invalid_request: 422,
  invalid_action: 422,
  invalid_task: 400,
  task_mismatch: 400,
  episode_exists: 409,
  no_episode: 400,
  episode_over: 400,
  episode_not_found: 404,
  episode_not_finished: 404,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  capacity_reached: 503,
  session_expired: 410,
  // A /ws?session_id= naming no usable MCP session, or one with a socket attached (frames only).
  session_not_found: 404,
  session_in_use: 409,
  step_conflict: 409,
  episode_in_use: 409,
  store_unavailable: 503,
  store_corrupt: 503,
  replay_mismatch: 500,
  // Task API (OpenEnv's guide: IndexError → 400, unknown env_name → 404).
  invalid_split: 400,
  index_out_of_range: 400,
  range_too_large: 400,
  unknown_environment: 404,
  internal: 500,
};

export function httpStatus(error: ApiError): number {
  return STATUS[error.reason];
}

export interface HttpErrorBody {
  detail: string | ValidationIssue[];
  code: string;
  reason: string;
}

/** The HTTP body: 422s list their problems FastAPI-style (loc already prefixed by the route). */
export function httpErrorBody(error: ApiError): HttpErrorBody {
  let detail: string | ValidationIssue[] = error.message;
  if (httpStatus(error) === 422) {
    detail = error.issues.length > 0 ? error.issues : [{ loc: ['body'], msg: error.message, type: 'value_error' }];
  }
  return { detail, code: error.code, reason: error.reason };
}

/** The data of a WebSocket error frame: message, code, reason, and `errors` for validation problems. */
export function wsErrorData(error: ApiError, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = { message: error.message, code: error.code, reason: error.reason };
  if (error.issues.length > 0) data.errors = error.issues;
  return { ...data, ...extra };
}

export function invalidJson(message: string, loc: (string | number)[] = ['body']): ApiError {
  return new ApiError('INVALID_JSON', 'invalid_json', `Invalid JSON: ${message}`, [
    { loc, msg: `JSON decode error: ${message}`, type: 'json_invalid' },
  ]);
}

export function internalError(): ApiError {
  return new ApiError('EXECUTION_ERROR', 'internal', 'Internal server error (logged).');
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(httpStatus(error)).type('application/json').send(httpErrorBody(error));
}

/** Fastify's own 4xx errors (body limit, bad framing) translated to our codes. */
function fromFastifyError(err: FastifyError): ApiError | null {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
    return new ApiError('PAYLOAD_TOO_LARGE', 'payload_too_large', 'Request body too large.');
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
    return new ApiError('VALIDATION_ERROR', 'unsupported_media_type', err.message);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new ApiError('VALIDATION_ERROR', 'invalid_request', err.message, [
      { loc: ['body'], msg: err.message, type: 'value_error' },
    ]);
  }
  return null;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ProblemError) return sendProblem(reply, err.problem); // refused before the protocol (security/)
    let error: ApiError | null = asApiError(err) ?? fromFastifyError(err as FastifyError);
    if (!error) {
      request.log.error({ err }, 'internal error');
      error = internalError();
    }
    if (error.reason === 'payload_too_large') {
      // The rest of the body was not read: close rather than parse it as the next request (§1).
      reply.header('connection', 'close');
    }
    return sendError(reply, error);
  });
}

/**
 * 404 for unknown paths; 405 when the path exists with other methods. The route table is
 * collected as routes register, as (pattern, methods) pairs.
 */
export function registerNotFound(app: FastifyInstance): void {
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url.includes('*')) return;
    const pattern = new RegExp(
      `^${route.url
        .split('/')
        .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/')}$`,
    );
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const existing = routes.find((r) => r.pattern.source === pattern.source);
    if (existing) for (const m of methods) existing.methods.add(m);
    else routes.push({ pattern, methods: new Set(methods) });
  });
  app.setNotFoundHandler((request, reply) => {
    const pathOnly = request.url.split('?')[0];
    const known = routes.find((r) => r.pattern.test(pathOnly));
    if (known && !known.methods.has(request.method)) {
      reply.header('allow', [...known.methods].join(', '));
      return sendError(
        reply,
        new ApiError('METHOD_NOT_ALLOWED', 'method_not_allowed', 'Method Not Allowed'),
      );
    }
    return sendError(reply, new ApiError('NOT_FOUND', 'not_found', 'Not Found'));
  });
}
