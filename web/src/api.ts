/**
 * The console's only backend is the server's public API: a WebSocket session for playing
 * (docs/protocol.md §7) and plain GETs/POSTs for tasks, grades and history (§4.9, §4.10, §4.13, §4.14).
 */
import type { Action, EpisodeRecord, EpisodeSummary, Grade, ObservationReply, Task, WsError } from './types.ts';

export class ApiError extends Error {
  readonly code: string;
  readonly reason: string;
  readonly status: number | null;
  constructor(message: string, code: string, reason: string, status: number | null = null) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.status = status;
  }
}

/**
 * API key of a server started with API_KEYS: from `?token=` in the console's address (then
 * removed from the address bar, so it does not end up in bookmarks or shared links) and kept for
 * the tab's session; `setApiToken` sets it from a form field.
 */
const TOKEN_KEY = 'dataselectenv.token';

export function apiToken(): string | null {
  try {
    const url = new URL(location.href);
    const given = url.searchParams.get('token');
    if (given) {
      sessionStorage.setItem(TOKEN_KEY, given);
      url.searchParams.delete('token');
      history.replaceState(history.state, '', url);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setApiToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

interface Pending {
  resolve: (msg: { type: string; data: unknown }) => void;
  reject: (err: Error) => void;
}

/**
 * One /ws connection. The server answers each request with exactly one message, in order
 * (§3.5), so replies are matched to requests with a FIFO instead of ids. The socket is opened
 * lazily and reopened after the server closes it (idle reaping, restart); an episode does not
 * survive that (§7.6), which the caller learns from the error.
 */
export class EnvSocket {
  private ws: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private readonly pending: Pending[] = [];
  private readonly url: string;
  onClose: ((reason: string) => void) | null = null;

  constructor(url = EnvSocket.defaultUrl()) {
    this.url = url;
  }

  static defaultUrl(): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // Browsers cannot set headers on a WebSocket: the key goes in the query (the server allows it there only).
    const token = apiToken();
    return `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  }

  private open(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.onopen = () => {
        this.ws = ws;
        this.opening = null;
        resolve(ws);
      };
      ws.onerror = () => {
        if (this.opening) {
          this.opening = null;
          reject(new ApiError('Cannot connect to the environment WebSocket.', 'CONNECTION', 'ws_unreachable'));
        }
      };
      ws.onmessage = (ev) => {
        let msg: { type: string; data: unknown };
        try {
          msg = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        const p = this.pending.shift();
        if (p) p.resolve(msg);
        else if (msg.type === 'error') this.onClose?.((msg.data as WsError).message);
      };
      ws.onclose = (ev) => {
        if (this.ws === ws) this.ws = null;
        const err = new ApiError(`Connection closed (${ev.code}).`, 'CONNECTION', 'ws_closed');
        for (const p of this.pending.splice(0)) p.reject(err);
        this.onClose?.(`connection closed (${ev.code})`);
      };
    });
    return this.opening;
  }

  private async request(type: string, data?: unknown): Promise<{ type: string; data: unknown }> {
    const ws = await this.open();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
    });
  }

  private static unwrap(msg: { type: string; data: unknown }): ObservationReply {
    if (msg.type === 'error') {
      const e = msg.data as WsError;
      throw new ApiError(e.message, e.code, e.reason);
    }
    return msg.data as ObservationReply;
  }

  /** Says goodbye the protocol's way (§7.4); the server then closes and drops any unfinished episode. */
  close(): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'close' }));
  }

  async reset(args: { task_id: string; seed: number; label: string | null }): Promise<ObservationReply> {
    return EnvSocket.unwrap(await this.request('reset', args));
  }

  async step(action: Action): Promise<ObservationReply> {
    return EnvSocket.unwrap(await this.request('step', action));
  }
}

async function http<T>(path: string, init?: RequestInit): Promise<T> {
  const token = apiToken();
  const headers: Record<string, string> = { accept: 'application/json', ...(init?.headers as Record<string, string> | undefined) };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = body && typeof body.detail === 'string' ? body.detail : `HTTP ${res.status}`;
    throw new ApiError(detail, body?.code ?? 'HTTP', body?.reason ?? 'http_error', res.status);
  }
  return body as T;
}

export async function getTasks(): Promise<Task[]> {
  return (await http<{ tasks: Task[] }>('/tasks')).tasks;
}

export function listEpisodes(params: { task_id?: string; limit?: number; before?: string | null }) {
  const q = new URLSearchParams();
  if (params.task_id) q.set('task_id', params.task_id);
  if (params.limit) q.set('limit', String(params.limit));
  if (params.before) q.set('before', params.before);
  const qs = q.toString();
  return http<{ episodes: EpisodeSummary[]; next_before: string | null }>(`/episodes${qs ? `?${qs}` : ''}`);
}

export function getEpisode(id: string): Promise<EpisodeRecord> {
  return http<EpisodeRecord>(`/episodes/${encodeURIComponent(id)}`);
}

export function grade(episode_id: string, task_id: string): Promise<Grade> {
  return http<Grade>('/grader', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ episode_id, task_id }),
  });
}
