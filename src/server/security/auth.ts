/**
 * Optional API keys (issue 13 item 5). With API_KEYS (comma-separated) or API_KEYS_FILE (one key
 * a line, `#` comments) set, every request but the probes, CORS preflights and the console's
 * static files must carry `Authorization: Bearer <key>`; a WebSocket upgrade may instead pass
 * `?token=<key>` (browsers cannot set headers on a WebSocket). Keys are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured key, so the time taken says nothing
 * about which key or how much of it matched. A request's `principal` is the key's id (a digest
 * prefix, safe to store and log); the key itself is never stored or logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendProblem, type Problem } from './problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Id of the API key the request authenticated with; null when keys are not configured. */
    principal: string | null;
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The public id of a key: 16 hex digits of its SHA-256 (the key cannot be recovered from it). */
export function keyId(key: string): string {
  return digest(`dataselectenv-key-id:${key}`).toString('hex').slice(0, 16);
}

export class KeyRing {
  private readonly keys: { digest: Buffer; id: string }[];

  constructor(keys: readonly string[]) {
    this.keys = keys.map((k) => ({ digest: digest(k), id: keyId(k) }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The id of the matching key, or null. Always compares against every key. */
  verify(token: string): string | null {
    const presented = digest(token);
    let match: string | null = null;
    for (const k of this.keys) {
      if (timingSafeEqual(presented, k.digest) && match === null) match = k.id;
    }
    return match;
  }
}

/** Keys from API_KEYS (comma-separated) and API_KEYS_FILE; throws a message naming the file on failure. */
export function readKeys(list: string | undefined, file: string | undefined): string[] {
  const keys: string[] = [];
  if (list) keys.push(...list.split(','));
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`API_KEYS_FILE ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    keys.push(...text.split(/\r?\n/).filter((line) => !line.trimStart().startsWith('#')));
  }
  const trimmed = keys.map((k) => k.trim()).filter((k) => k !== '');
  const short = trimmed.find((k) => k.length < 16);
  if (short !== undefined) throw new Error(`API keys must be at least 16 characters (one has ${short.length})`);
  return [...new Set(trimmed)];
}

/** Paths open without a key: liveness/readiness probes and the console's static files. */
export function isOpenPath(path: string): boolean {
  return path === '/health' || path === '/ready' || path === '/web' || path.startsWith('/web/');
}

function presentedToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    return m ? m[1] : '';
  }
  if (request.headers.upgrade?.toLowerCase() === 'websocket') {
    const q = request.query as Record<string, unknown> | undefined;
    const token = q?.token;
    if (typeof token === 'string') return token;
  }
  return null;
}

const unauthorized = (reason: 'missing_api_key' | 'invalid_api_key'): Problem => ({
  status: 401,
  code: 'UNAUTHORIZED',
  reason,
  detail:
    reason === 'missing_api_key'
      ? 'An API key is required: send Authorization: Bearer <key> (WebSocket: or ?token=<key>).'
      : 'The API key is not valid.',
});

export function registerAuth(app: FastifyInstance, ring: KeyRing, onReject?: (p: Problem, request: FastifyRequest) => void): void {
  app.decorateRequest('principal', null);
  if (!ring.enabled) return;
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' || isOpenPath(request.url.split('?')[0])) return;
    const token = presentedToken(request);
    const principal = token ? ring.verify(token) : null;
    if (principal === null) {
      const problem = unauthorized(token === null ? 'missing_api_key' : 'invalid_api_key');
      onReject?.(problem, request);
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(reply, problem);
    }
    request.principal = principal;
  });
}
