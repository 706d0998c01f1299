/**
 * Request ids, the optional access log and quiet logging of client mistakes (issue 13 item 8).
 * - `X-Request-Id`: a well-formed one from the client is kept (so a proxy's id follows the
 *   request), anything else is replaced by a fresh UUID; it is returned on every response and
 *   is the `reqId` of every log line of that request (fastify's child logger).
 * - `ACCESS_LOG=1`: one info line per response (method, path without query, status, ms, client).
 * - Protocol violations by clients (bad WebSocket frames, malformed HTTP) are logged at warn with
 *   their message only, never a stack, and at most a burst per window: a hostile client cannot
 *   flood the log.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

const REQUEST_ID = /^[A-Za-z0-9._~:@+=\/-]{1,128}$/;

export function requestIdFor(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export function registerRequestIds(app: FastifyInstance, options: { accessLog: boolean }): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  if (options.accessLog) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          path: request.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
          client: request.ip,
        },
        'request',
      );
    });
  }
}

/** At most `burst` warnings per `windowMs`; the rest are counted and reported with the next one. */
export class ViolationLog {
  private readonly log: () => FastifyBaseLogger;
  private readonly burst: number;
  private readonly windowMs: number;
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(log: () => FastifyBaseLogger, options: { burst?: number; windowMs?: number } = {}) {
    this.log = log;
    this.burst = options.burst ?? 20;
    this.windowMs = options.windowMs ?? 10_000;
  }

  warn(what: string, err: { message?: string; code?: string } | null, fields: Record<string, unknown> = {}): boolean {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.burst) {
      this.suppressed++;
      return false;
    }
    this.inWindow++;
    const entry: Record<string, unknown> = { ...fields };
    if (err?.message) entry.error = err.message.slice(0, 300);
    if (err?.code) entry.error_code = err.code;
    if (this.suppressed > 0) {
      entry.suppressed_since_last = this.suppressed;
      this.suppressed = 0;
    }
    this.log().warn(entry, what);
    return true;
  }
}
