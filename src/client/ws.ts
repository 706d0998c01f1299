/**
 * WebSocket client for `/ws` (docs/protocol.md §7). One connection = one session owning at most one
 * episode. Requests are strictly sequential (the protocol answers them in order, one reply each),
 * so a single pending slot suffices. Every request carries a `request_id` that the server echoes:
 * after a timeout the connection stays usable, since a late reply is recognised and dropped
 * instead of being taken for the next request's (OpenEnv issue #1143). A server that does not
 * echo ids gets the old behaviour: a timeout ends the connection.
 *
 * A dropped connection ends its episode on the server (§3.1): the next `step`/`state` fails with
 * `CONNECTION_LOST` / `episode_lost` saying so, and the next `reset` opens a new connection.
 * Grading goes over HTTP (`POST /grader`), which reads episodes of any transport.
 */
import WebSocket from 'ws';
import type { Action } from '../env/types.ts';
import type { WsErrorData, WsObservation } from '../protocol/wire.ts';
import { ClientError } from '../api/errors.ts';
import { DEFAULT_TIMEOUT_MS, HttpClient, normaliseBaseUrl, resetBody, transportError, withApiKey } from './http.ts';
import type { Environment, EpisodeStart, EpisodeState, GradeResult, ResetParams, StepOutcome } from '../api/environment.ts';

export interface WsClientOptions {
  /** Timeout for opening the connection and for each reply (default 30 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** API key of a server started with API_KEYS: sent as `Authorization: Bearer <key>` on the upgrade. */
  apiKey?: string;
}

interface Frame {
  type: string;
  data?: unknown;
  request_id?: string | number;
}

type ObservationData = WsObservation;
type ErrorData = Partial<WsErrorData>;

interface Pending {
  id: number;
  resolve: (f: Frame) => void;
  reject: (e: ClientError) => void;
  timer: NodeJS.Timeout;
}

/** `http(s)://host/base` → `ws(s)://host/base/ws`, as OpenEnv clients derive it (§7.1). */
export function wsUrlFor(baseUrl: string): string {
  const u = new URL(normaliseBaseUrl(baseUrl));
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${u.href.replace(/\/+$/, '')}/ws`;
}

function errorFromFrame(data: ErrorData | undefined, what: string): ClientError {
  return new ClientError(data?.code ?? 'EXECUTION_ERROR', data?.reason ?? 'internal', `${what} failed: ${data?.message ?? 'error frame without a message'}`, {
    issues: data?.errors ?? [],
  });
}

export class WsEnvironment implements Environment {
  readonly transport = 'ws' as const;
  readonly url: string;
  readonly http: HttpClient;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private socket: WebSocket | null = null;
  private pending: Pending | null = null;
  /** Serialises calls made without awaiting the previous one. */
  private queue: Promise<unknown> = Promise.resolve();
  private episodeId: string | null = null;
  private taskId: string | null = null;
  /** Why the last connection ended while it owned an episode (reported by the next step/state). */
  private lost: string | null = null;
  /** An unsolicited error frame (idle reaping, §3.4) explaining the closure that follows it. */
  private serverNotice: string | null = null;
  private nextRequestId = 1;
  /** Whether this connection's server echoes request ids (then a timeout need not end it). */
  private echoesIds = false;
  /** Late replies recognised by their request id and dropped (for diagnostics and tests). */
  staleRepliesDropped = 0;

  constructor(baseUrl: string, options: WsClientOptions = {}) {
    this.url = wsUrlFor(baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.headers = withApiKey(options.headers, options.apiKey);
    this.http = new HttpClient(baseUrl, { timeoutMs: this.timeoutMs, headers: this.headers });
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  get currentEpisodeId(): string | null {
    return this.episodeId;
  }

  reset(params: ResetParams = {}): Promise<EpisodeStart> {
    return this.serial(async () => {
      // A reset is the moment to recover from a drop: the old episode is gone anyway.
      if (!this.connected) await this.connect();
      this.lost = null;
      const d = await this.request<ObservationData>({ type: 'reset', data: resetBody(params) }, 'reset', 'observation');
      this.episodeId = d.episode_id;
      this.taskId = d.task_id;
      return { episode_id: d.episode_id, task_id: d.task_id, observation: d.observation };
    });
  }

  step(action: Action): Promise<StepOutcome> {
    return this.serial(async () => {
      this.requireLive('step');
      const d = await this.request<ObservationData>({ type: 'step', data: action }, 'step', 'observation');
      return {
        episode_id: d.episode_id,
        step: d.step,
        observation: d.observation,
        reward: d.reward,
        terminated: d.terminated,
        truncated: d.truncated,
        done: d.done,
        info: d.info,
      };
    });
  }

  state(): Promise<EpisodeState> {
    return this.serial(async () => {
      if (this.episodeId === null && !this.connected) {
        return { episode_id: null, task_id: null, step_count: 0, done: false, remaining_budget: null, current_performance: null, pool_size: null };
      }
      this.requireLive('state');
      return this.request<EpisodeState>({ type: 'state' }, 'state', 'state');
    });
  }

  grade(): Promise<GradeResult> {
    return this.serial(async () => {
      if (this.episodeId === null || this.taskId === null) {
        throw new ClientError('EXECUTION_ERROR', 'no_episode', 'No episode to grade: call reset() first.');
      }
      // Finished episodes are in the server's store, so grading works even after a drop.
      return this.http.grade(this.episodeId, this.taskId);
    });
  }

  /** Sends `close`, waits briefly for the reply or the closure, then closes. */
  close(): Promise<void> {
    return this.serial(async () => {
      const s = this.socket;
      this.episodeId = null;
      this.taskId = null;
      this.lost = null;
      if (!s) return;
      if (s.readyState === WebSocket.OPEN) {
        const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
        s.send(JSON.stringify({ type: 'close' }));
        await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      if (s.readyState !== WebSocket.CLOSED) s.terminate();
      this.socket = null;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireLive(what: string): void {
    if (this.lost !== null) {
      throw new ClientError(
        'CONNECTION_LOST',
        'episode_lost',
        `${what}: ${this.lost}; the server discarded episode ${this.episodeId ?? '?'} (docs/protocol.md §3.1). Call reset() to start a new episode on a new connection.`,
      );
    }
    if (!this.connected || this.episodeId === null) {
      throw new ClientError('EXECUTION_ERROR', 'no_episode', `${what}: no episode on this client: call reset() first.`);
    }
  }

  private connect(): Promise<void> {
    this.socket?.terminate();
    this.serverNotice = null;
    this.echoesIds = false;
    return new Promise((resolve, reject) => {
      const s = new WebSocket(this.url, { headers: this.headers, handshakeTimeout: this.timeoutMs });
      this.socket = s;
      let opened = false;
      s.on('open', () => {
        opened = true;
        resolve();
      });
      s.on('error', (e) => {
        if (!opened) reject(transportError(e, 'connect /ws', this.url, this.timeoutMs));
      });
      s.on('message', (raw) => this.onMessage(s, raw.toString()));
      s.on('close', (code, why) => {
        if (!opened) {
          reject(new ClientError('CONNECTION_ERROR', 'unreachable', `connect /ws: ${this.url} closed the connection (code ${code})`));
          return;
        }
        this.onClose(s, code, why.toString());
      });
    });
  }

  private onMessage(s: WebSocket, text: string): void {
    if (s !== this.socket) return;
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      this.failPending(new ClientError('PROTOCOL_ERROR', 'invalid_json', 'the server sent a WebSocket message that is not JSON'));
      return;
    }
    const p = this.pending;
    if (frame.request_id !== undefined) {
      if (!p || frame.request_id !== p.id) {
        // The reply to a request this client stopped waiting for: not the one it waits for now.
        this.staleRepliesDropped++;
        return;
      }
      this.echoesIds = true;
    }
    if (!p) {
      // Unsolicited: the server says why it is about to close (idle reaping, capacity).
      if (frame.type === 'error') {
        const d = frame.data as ErrorData | undefined;
        this.serverNotice = `${d?.code ?? 'ERROR'}/${d?.reason ?? '?'}: ${d?.message ?? ''}`;
      }
      return;
    }
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve(frame);
  }

  private onClose(s: WebSocket, code: number, why: string): void {
    if (s !== this.socket) return;
    const cause = `the WebSocket connection closed (code ${code}${why ? `, ${why}` : ''}${this.serverNotice ? `; server said ${this.serverNotice}` : ''})`;
    if (this.episodeId !== null) this.lost = cause;
    this.failPending(new ClientError('CONNECTION_LOST', 'episode_lost', `${cause} before the reply; episode ${this.episodeId ?? '(none)'} is gone (docs/protocol.md §3.1). Call reset() to start a new one.`));
  }

  private failPending(e: ClientError): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(e);
  }

  private async request<T>(message: Frame, what: string, expected: string): Promise<T> {
    const s = this.socket;
    if (!s || s.readyState !== WebSocket.OPEN) {
      throw new ClientError('CONNECTION_LOST', 'episode_lost', `${what}: the WebSocket is not open. Call reset() to reconnect.`);
    }
    const id = this.nextRequestId++;
    const frame = await new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        if (this.echoesIds) {
          // The late reply will carry this id and be dropped; the connection stays in step.
          reject(
            new ClientError(
              'TIMEOUT',
              'timeout',
              `${what}: no reply from ${this.url} within ${this.timeoutMs} ms; the server may still apply it (state() tells)`,
            ),
          );
          return;
        }
        // Without echoed ids a late reply would answer the wrong request: the connection cannot be reused.
        if (this.episodeId !== null) this.lost = `no reply to '${what}' within ${this.timeoutMs} ms (connection dropped)`;
        s.terminate();
        reject(new ClientError('TIMEOUT', 'timeout', `${what}: no reply from ${this.url} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending = { id, resolve, reject, timer };
      s.send(JSON.stringify({ ...message, request_id: id }));
    });
    if (frame.type === 'error') throw errorFromFrame(frame.data as ErrorData | undefined, what);
    if (frame.type !== expected || typeof frame.data !== 'object' || frame.data === null) {
      throw new ClientError('PROTOCOL_ERROR', 'unexpected_reply', `${what}: expected a '${expected}' reply, got '${frame.type}'`);
    }
    return frame.data as T;
  }
}
