/**
 * The web console plugin (docs/protocol.md §4.15): serves the static build of `web/` (Vite output in
 * `web/dist`) at GET /web and /web/…. The console itself only talks to the public API (WebSocket
 * /ws, GET /tasks, GET /episodes…), so this plugin is nothing but a careful static file server:
 * - content types set explicitly (never sniffed), `nosniff` on every file;
 * - no directory traversal: the request path is split into plain segments, `..`/`.`/empty and
 *   backslash or NUL segments are refused, and the resolved real path must stay inside the root
 *   (this also refuses symlinks pointing out of it);
 * - Vite's content-hashed files under `assets/` are cached for a year as immutable, everything
 *   else (index.html, which names the current hashes) is revalidated on each load;
 * - a server started before the console was built answers 404 with a hint, never a 500.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface WebPluginOptions {
  /** Directory holding the built console; defaults to `web/dist` of this checkout. */
  distDir?: string;
}

/** Resolved from this file's location so the server finds the build whatever its working directory. */
export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The page may only load its own files and talk back to its own origin (REST and /ws). */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

function notFound(reply: FastifyReply, detail = 'Not Found'): FastifyReply {
  return reply.code(404).type('application/json').send({ detail, code: 'NOT_FOUND', reason: 'not_found' });
}

/** Splits a URL path below /web/ into safe segments, or null when it could escape the root. */
export function safeSegments(rel: string): string[] | null {
  const segments = rel.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) return null;
  }
  return segments;
}

export async function webPlugin(app: FastifyInstance, opts: WebPluginOptions = {}): Promise<void> {
  const distDir = path.resolve(opts.distDir ?? DEFAULT_DIST_DIR);

  async function sendFile(reply: FastifyReply, rel: string): Promise<FastifyReply> {
    const segments = safeSegments(rel);
    if (!segments) return notFound(reply);
    let root: string;
    try {
      root = await realpath(distDir);
    } catch {
      return notFound(reply, 'The web console is not built: run `npm run build:web` (npm ci does it).');
    }
    let file: string;
    try {
      file = await realpath(path.join(root, ...segments));
      if (!file.startsWith(root + path.sep) || !(await stat(file)).isFile()) return notFound(reply);
    } catch {
      return notFound(reply);
    }
    const body = await readFile(file);
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    reply
      .type(type)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', segments[0] === 'assets' && segments.length > 1 ? IMMUTABLE : REVALIDATE);
    if (type.startsWith('text/html')) reply.header('Content-Security-Policy', CSP);
    return reply.send(body);
  }

  // '/web/' reaches the wildcard with an empty rest; no separate '/web/' route, so a server
  // built with ignoreTrailingSlash cannot see a duplicate.
  app.get('/web', (_req, reply) => sendFile(reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/web/*', (req, reply) =>
    sendFile(reply, req.params['*'] === '' ? 'index.html' : req.params['*']),
  );
}
