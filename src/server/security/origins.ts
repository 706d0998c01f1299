/**
 * Browser safety (issue 13 item 6). Three checks, all before routing:
 * - CORS through @fastify/cors with an allow-list: by default no cross-origin reads at all (the
 *   console is served from the same origin and needs none); `*` only when asked.
 * - Requests carrying a disallowed `Origin` are refused (403), WebSocket upgrades included: a
 *   browser sends Origin on every cross-origin request, and CORS alone does not stop a page from
 *   *sending* a request (a fetch with a type-less Blob body reaches /reset without a preflight).
 *   Requests without Origin (curl, SDKs, trainers) are not browsers and pass.
 * - A `Host` allow-list against DNS rebinding (a hostile name resolving to 127.0.0.1 makes its
 *   page "same origin" with a local server): on by default when bound to the loopback.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendProblem, type Problem } from './problem.ts';

export interface BrowserPolicy {
  /** Allowed cross-origin origins (`scheme://host[:port]`), or '*' for any. Empty = same origin only. */
  corsOrigins: '*' | string[];
  /** Accepted `Host` names (no port), or null for any. */
  allowedHosts: string[] | null;
}

const LOOPBACK_BINDS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);
export const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The default Host allow-list: loopback names when bound to the loopback, else none. */
export function defaultAllowedHosts(bindHost: string): string[] | null {
  return LOOPBACK_BINDS.has(bindHost) || /^127\./.test(bindHost) ? [...LOOPBACK_HOST_NAMES] : null;
}

/** The host name of a `Host` header value, lower-cased, without port or IPv6 brackets. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/** Canonical `scheme://host[:port]` of an origin, or null when it is not one (e.g. "null"). */
export function canonicalOrigin(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

function sameOrigin(origin: string, request: FastifyRequest): boolean {
  const host = new URL(origin).host;
  // Behind a proxy that rewrites Host, the browser-facing host is in X-Forwarded-Host.
  const candidates = [request.headers.host, request.headers['x-forwarded-host']];
  return candidates.some((c) => typeof c === 'string' && c.split(',')[0].trim().toLowerCase() === host);
}

export function originAllowed(policy: BrowserPolicy, originHeader: string, request: FastifyRequest): boolean {
  if (policy.corsOrigins === '*') return true;
  const origin = canonicalOrigin(originHeader);
  if (origin === null) return false;
  return sameOrigin(origin, request) || policy.corsOrigins.includes(origin);
}

const forbiddenOrigin = (origin: string): Problem => ({
  status: 403,
  code: 'FORBIDDEN',
  reason: 'origin_not_allowed',
  detail: `Origin '${origin.slice(0, 200)}' is not allowed (CORS_ORIGINS).`,
});

const forbiddenHost = (host: string): Problem => ({
  status: 403,
  code: 'FORBIDDEN',
  reason: 'host_not_allowed',
  detail: `Host '${host.slice(0, 200)}' is not served here (ALLOWED_HOSTS).`,
});

export async function registerBrowserSafety(
  app: FastifyInstance,
  policy: BrowserPolicy,
  onReject?: (p: Problem, request: FastifyRequest) => void,
): Promise<void> {
  const reject = (request: FastifyRequest, reply: Parameters<typeof sendProblem>[0], p: Problem) => {
    onReject?.(p, request);
    return sendProblem(reply, p);
  };
  // A callback hook (cheaper per request than an async one); a refusal answers and never calls done.
  app.addHook('onRequest', (request, reply, done) => {
    if (policy.allowedHosts !== null) {
      const host = request.headers.host ?? '';
      if (!policy.allowedHosts.includes(hostName(host))) {
        reject(request, reply, forbiddenHost(host));
        return;
      }
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !originAllowed(policy, origin, request)) {
      reject(request, reply, forbiddenOrigin(origin));
      return;
    }
    done();
  });
  await app.register(cors, {
    origin: policy.corsOrigins === '*' ? '*' : policy.corsOrigins.length === 0 ? false : policy.corsOrigins,
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    maxAge: 600,
    // A bad preflight falls through to the router's 404/405 in the standard shape.
    strictPreflight: false,
  });
}
