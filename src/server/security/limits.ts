/**
 * Abuse limits (issue 13 item 7): per-client request rate limits through @fastify/rate-limit.
 * A client is its API key when it authenticated, else its address (with TRUST_PROXY, the one
 * the proxy reports). Probes (/health, /ready, /metrics) are never limited, and neither are the
 * addresses of RATE_LIMIT_EXEMPT (the loopback by default: benchmarks, the test suite and a
 * local trainer share one address and would otherwise throttle each other). The per-client caps
 * on sessions and live HTTP episodes are in sessions.ts.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError, type Problem } from './problem.ts';

export interface RateLimitSettings {
  /** Requests per window per client; 0 = no rate limit. */
  max: number;
  windowS: number;
  /** Exempt client addresses; 'loopback' stands for 127.0.0.0/8 and ::1. */
  exempt: string[];
}

const PROBES = new Set(['/health', '/ready', '/metrics']);

export function isLoopbackAddress(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./.test(ip);
}

/** The identity limits are counted by: the authenticated key's id, else the client address. */
export function clientKey(request: FastifyRequest): string {
  const principal = (request as FastifyRequest & { principal?: string | null }).principal;
  return principal ? `key:${principal}` : `ip:${request.ip}`;
}

export function isExempt(settings: RateLimitSettings, ip: string): boolean {
  return settings.exempt.some((e) => (e === 'loopback' ? isLoopbackAddress(ip) : e === ip));
}

export async function registerRateLimit(
  app: FastifyInstance,
  settings: RateLimitSettings,
  onReject?: (p: Problem, request: FastifyRequest) => void,
): Promise<void> {
  if (settings.max <= 0) return;
  await app.register(rateLimit, {
    global: true,
    max: settings.max,
    timeWindow: Math.round(settings.windowS * 1000),
    keyGenerator: clientKey,
    allowList: (request) => PROBES.has(request.url.split('?')[0]) || isExempt(settings, request.ip),
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (request, context) => {
      const problem: Problem = {
        status: 429,
        code: 'RATE_LIMITED',
        reason: 'rate_limited',
        detail: `Too many requests: at most ${context.max} per ${settings.windowS} s per client; retry in ${context.after}.`,
      };
      onReject?.(problem, request);
      return new ProblemError(problem);
    },
  });
}
