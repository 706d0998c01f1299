/**
 * Timeouts that actually apply (issue 13 item 3). Node's HTTP server enforces `headersTimeout` and
 * `requestTimeout` only from a periodic sweep (`connectionsCheckingInterval`, 30 s by default), and
 * on Node 24 a `requestTimeout` assigned after `http.createServer` does not reach the body phase:
 * so all of them go to the server constructor (fastify's `http` option), with a sweep interval
 * short enough that a stalled client is cut within about a second of its deadline.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';

export interface TimeoutSettings {
  /** Whole request (headers + body) must arrive within this (0 = no limit). */
  requestTimeoutS: number;
  /** Headers must arrive within this; at most requestTimeoutS. */
  headersTimeoutS: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutS: number;
}

/** How often Node sweeps connections for expired header/request deadlines (ms). */
export function sweepIntervalMs(t: TimeoutSettings): number {
  const deadlines = [t.headersTimeoutS, t.requestTimeoutS].filter((s) => s > 0).map((s) => s * 1000);
  if (deadlines.length === 0) return 30_000;
  return Math.min(1000, Math.max(25, Math.min(...deadlines) / 10));
}

/** The fastify constructor options that carry the timeouts to Node's server. */
export function serverTimeoutOptions(t: TimeoutSettings): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout'> & {
  http: NonNullable<import('node:http').ServerOptions>;
} {
  const requestTimeout = Math.round(t.requestTimeoutS * 1000);
  const headersTimeout = Math.round(t.headersTimeoutS * 1000);
  const keepAliveTimeout = Math.round(t.keepAliveTimeoutS * 1000);
  return {
    // fastify assigns these two to the server after creating it too; same values, so no conflict.
    requestTimeout,
    keepAliveTimeout,
    http: {
      requestTimeout,
      // Node refuses headersTimeout > requestTimeout; with no request limit, headers keep theirs.
      headersTimeout: requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout,
      keepAliveTimeout,
      connectionsCheckingInterval: sweepIntervalMs(t),
    },
  };
}

/**
 * WebSocket liveness: every `intervalMs` each client is pinged; one that has not answered the
 * previous ping (a dead peer, a half-open TCP connection) is terminated, which runs its normal
 * close path (session released, unfinished episode discarded). Returns the stop function.
 */
export function startWsHeartbeat(wss: WebSocketServer, intervalMs: number, onDead?: (socket: WebSocket) => void): () => void {
  if (intervalMs <= 0) return () => {};
  const alive = new WeakMap<WebSocket, boolean>();
  const onConnection = (socket: WebSocket) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
  };
  wss.on('connection', onConnection);
  const timer = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        onDead?.(socket);
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      try {
        socket.ping();
      } catch {
        // A socket that cannot be pinged is closing already; the next tick terminates it.
      }
    }
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    wss.off('connection', onConnection);
  };
}

/**
 * Graceful close with a deadline: stop accepting, let in-flight requests finish, and after
 * `deadlineMs` destroy whatever connections remain (stalled uploads, WebSockets that ignore the
 * close frame), so shutdown never waits on a client.
 */
export async function closeWithDeadline(app: FastifyInstance, deadlineMs: number, onForced?: () => void): Promise<void> {
  const timer = setTimeout(() => {
    onForced?.();
    const wss = (app as { websocketServer?: WebSocketServer }).websocketServer;
    if (wss) for (const socket of wss.clients) socket.terminate();
    app.server.closeAllConnections();
  }, deadlineMs);
  timer.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
