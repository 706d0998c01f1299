/**
 * Refusals decided before a request reaches the protocol (timeouts, malformed HTTP, missing
 * credentials, disallowed origins, rate limits): the same `{detail, code, reason}` body as every
 * other error, written through fastify when there is a request, or raw onto the socket when the
 * HTTP parser gave up before there was one.
 */
import http from 'node:http';
import type { FastifyReply } from 'fastify';

export interface Problem {
  status: number;
  /** OpenEnv-style upper-case category. */
  code: string;
  /** The precise lower-case cause (also the `reason` label of the rejected-requests metric). */
  reason: string;
  detail: string;
}

export function problemBody(p: Problem): { detail: string; code: string; reason: string } {
  return { detail: p.detail, code: p.code, reason: p.reason };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/json').send(problemBody(p));
}

/** A complete HTTP/1.1 response that closes the connection, for a socket without a request. */
export function rawProblemResponse(p: Problem): string {
  const body = JSON.stringify(problemBody(p));
  return (
    `HTTP/1.1 ${p.status} ${http.STATUS_CODES[p.status] ?? 'Error'}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** A Problem thrown through fastify (hooks of plugins that throw): the error handler sends it as is. */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly statusCode: number;
  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ProblemError';
    this.problem = problem;
    this.statusCode = problem.status;
  }
}

/**
 * A WebSocket upgrade answered with an HTTP error (refused origin, key, rate limit) must close
 * its socket: Node no longer tracks an upgrade's socket as an HTTP connection, so nothing else
 * would ever close it (and a graceful shutdown would wait for it).
 */
export function closeRefusedUpgrades(app: import('fastify').FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.upgrade === undefined || reply.statusCode === 101) return done(null, payload);
    reply.header('connection', 'close');
    const socket = request.raw.socket;
    reply.raw.once('finish', () => socket.destroySoon?.() ?? socket.destroy());
    // A client that never reads the refusal must not keep the socket either.
    setTimeout(() => socket.destroy(), 2000).unref();
    done(null, payload);
  });
}
