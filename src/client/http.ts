/**
 * Typed HTTP client for a DataSelectEnv server (docs/protocol.md §4). `HttpClient` maps each route to
 * a method; `HttpEnvironment` is the `Environment` view of it, remembering its own episode id so
 * that many clients can share one server (§3.2: without an id the server acts on the most recent
 * episode of anyone).
 */
import type { ValidationIssue } from '../env/errors.ts';
import type { Action } from '../env/types.ts';
import type {
  BaselineReply,
  EpisodeRecord,
  EpisodesPage,
  HealthReply,
  HttpStepReply,
  MetadataReply,
  ResetReply,
  SchemaReply,
  SplitInfo,
  TaskEntry,
  TasksReply,
} from '../protocol/wire.ts';

/** The Task API namespace the server serves (its OpenEnv env_name). */
const TASK_API_ENV = 'dataselectenv';
import { ClientError } from '../api/errors.ts';
import type { Environment, EpisodeStart, EpisodeState, GradeResult, ResetParams, StepOutcome } from '../api/environment.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HttpClientOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Extra headers on every request (e.g. an Authorization header for a hosted Space). */
  headers?: Record<string, string>;
  /** API key of a server started with API_KEYS: sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
}

/** `headers` with the bearer header of `apiKey` (an explicit Authorization header wins). */
export function withApiKey(headers: Record<string, string> = {}, apiKey?: string): Record<string, string> {
  if (!apiKey || Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) return { ...headers };
  return { ...headers, authorization: `Bearer ${apiKey}` };
}

export type {
  ResetReply,
  HttpStepReply,
  TaskInfo,
  TasksReply,
  HealthReply,
  EpisodeSummary,
  EpisodesPage,
  EpisodeRecord,
  BaselineReply,
  MetadataReply,
  SchemaReply,
} from '../protocol/wire.ts';

/** Removes a trailing slash so `${base}/path` is always well formed. */
export function normaliseBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ClientError('CONNECTION_ERROR', 'invalid_url', `Not a valid server URL: '${url}' (expected e.g. http://localhost:7860)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ClientError('CONNECTION_ERROR', 'invalid_url', `Server URL must be http:// or https://, got '${url}'`);
  }
  return u.href.replace(/\/+$/, '');
}

/** Builds the typed error for a non-2xx answer from the body's `detail`/`code`/`reason` (§5). */
export function errorFromBody(status: number, body: unknown, what: string): ClientError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { detail?: unknown; code?: unknown; reason?: unknown };
  const code = typeof b.code === 'string' ? b.code : status >= 500 ? 'EXECUTION_ERROR' : 'HTTP_ERROR';
  const reason = typeof b.reason === 'string' ? b.reason : status >= 500 ? 'internal' : `http_${status}`;
  let issues: ValidationIssue[] = [];
  let message: string;
  if (Array.isArray(b.detail)) {
    issues = b.detail as ValidationIssue[];
    message = issues
      .map((i) => `${Array.isArray(i.loc) ? i.loc.join('.') : '?'}: ${i.msg}`)
      .join('; ');
  } else if (typeof b.detail === 'string') {
    message = b.detail;
  } else {
    message = `HTTP ${status}`;
  }
  return new ClientError(code, reason, `${what} failed: ${message}`, { status, issues });
}

/** A reset's request body (POST /reset, the WebSocket reset's data): only the fields given, `task` as `task_id`. */
export function resetBody(params: ResetParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (params.task !== undefined) body.task_id = params.task;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.label !== undefined) body.label = params.label;
  if (params.episode_id !== undefined) body.episode_id = params.episode_id;
  if (params.split !== undefined) body.split = params.split;
  if (params.index !== undefined) body.index = params.index;
  return body;
}

export class HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.baseUrl = normaliseBaseUrl(baseUrl);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.headers = withApiKey(options.headers, options.apiKey);
  }

  /** One request: JSON in, JSON out, typed errors for every failure (never a bare fetch error). */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw transportError(e, what, this.baseUrl, this.timeoutMs);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw transportError(e, what, this.baseUrl, this.timeoutMs);
    }
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.ok) throw new ClientError('PROTOCOL_ERROR', 'invalid_json', `${what}: the server's answer is not JSON`, { status: res.status });
      }
    }
    if (!res.ok) throw errorFromBody(res.status, parsed, what);
    return parsed as T;
  }

  health(): Promise<HealthReply> {
    return this.request('GET', '/health');
  }
  metadata(): Promise<MetadataReply> {
    return this.request('GET', '/metadata');
  }
  schema(): Promise<SchemaReply> {
    return this.request('GET', '/schema');
  }
  tasks(): Promise<TasksReply> {
    return this.request('GET', '/tasks');
  }
  baseline(): Promise<BaselineReply> {
    return this.request('GET', '/baseline');
  }

  reset(params: ResetParams = {}): Promise<ResetReply> {
    return this.request('POST', '/reset', resetBody(params));
  }

  /** OpenEnv's Task API (README: Task API): the splits and their (task, seed) entries. */
  splits(): Promise<SplitInfo[]> {
    return this.request('GET', `/${TASK_API_ENV}/splits`);
  }
  async numTasks(split: string): Promise<number> {
    return (await this.request<{ num_tasks: number }>('POST', `/${TASK_API_ENV}/num_tasks`, { split })).num_tasks;
  }
  async taskAt(split: string, index: number): Promise<TaskEntry> {
    return (await this.request<{ task: TaskEntry }>('POST', `/${TASK_API_ENV}/task`, { split, index })).task;
  }
  /** `split[start:stop]` (Python slice semantics; at most 10,000 entries per call). */
  async taskRange(split: string, start?: number, stop?: number): Promise<TaskEntry[]> {
    return (await this.request<{ tasks: TaskEntry[] }>('POST', `/${TASK_API_ENV}/task_range`, { split, start: start ?? null, stop: stop ?? null })).tasks;
  }

  step(action: Action, episodeId?: string): Promise<HttpStepReply> {
    return this.request('POST', '/step', episodeId === undefined ? { action } : { action, episode_id: episodeId });
  }

  state(episodeId?: string): Promise<EpisodeState> {
    return this.request('GET', episodeId === undefined ? '/state' : `/state?episode_id=${encodeURIComponent(episodeId)}`);
  }

  grade(episodeId: string, taskId: string): Promise<GradeResult> {
    return this.request('POST', '/grader', { episode_id: episodeId, task_id: taskId });
  }

  episodes(query: { task?: string; limit?: number; before?: string } = {}): Promise<EpisodesPage> {
    const q = new URLSearchParams();
    if (query.task !== undefined) q.set('task_id', query.task);
    if (query.limit !== undefined) q.set('limit', String(query.limit));
    if (query.before !== undefined) q.set('before', query.before);
    const s = q.toString();
    return this.request('GET', s ? `/episodes?${s}` : '/episodes');
  }

  episode(episodeId: string): Promise<EpisodeRecord> {
    return this.request('GET', `/episodes/${encodeURIComponent(episodeId)}`);
  }
}

/** Maps fetch/undici failures to TIMEOUT or CONNECTION_ERROR with the underlying cause in the text. */
export function transportError(e: unknown, what: string, base: string, timeoutMs: number): ClientError {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new ClientError('TIMEOUT', 'timeout', `${what}: no answer from ${base} within ${timeoutMs} ms`, { cause: e });
  }
  const detail = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return new ClientError('CONNECTION_ERROR', 'unreachable', `${what}: cannot reach ${base} (${detail})`, { cause: e });
}

export function unwrapReward(reward: { value: number } | number): number {
  return typeof reward === 'number' ? reward : reward.value;
}

/** `Environment` over HTTP: every call names this client's own episode. */
export class HttpEnvironment implements Environment {
  readonly transport = 'http' as const;
  readonly client: HttpClient;
  private episodeId: string | null = null;
  private taskId: string | null = null;

  constructor(baseUrlOrClient: string | HttpClient, options: HttpClientOptions = {}) {
    this.client = typeof baseUrlOrClient === 'string' ? new HttpClient(baseUrlOrClient, options) : baseUrlOrClient;
  }

  get currentEpisodeId(): string | null {
    return this.episodeId;
  }

  async reset(params: ResetParams = {}): Promise<EpisodeStart> {
    const r = await this.client.reset(params);
    this.episodeId = r.episode_id;
    this.taskId = r.task_id;
    return { episode_id: r.episode_id, task_id: r.task_id, observation: r.observation };
  }

  async step(action: Action): Promise<StepOutcome> {
    const r = await this.client.step(action, this.requireEpisode());
    return {
      episode_id: r.episode_id,
      step: r.step,
      observation: r.observation,
      reward: unwrapReward(r.reward),
      terminated: r.terminated,
      truncated: r.truncated,
      done: r.done,
      info: r.info,
    };
  }

  async state(): Promise<EpisodeState> {
    if (this.episodeId === null) {
      return { episode_id: null, task_id: null, step_count: 0, done: false, remaining_budget: null, current_performance: null, pool_size: null };
    }
    return this.client.state(this.episodeId);
  }

  async grade(): Promise<GradeResult> {
    return this.client.grade(this.requireEpisode(), this.taskId ?? '');
  }

  async close(): Promise<void> {
    this.episodeId = null;
    this.taskId = null;
  }

  private requireEpisode(): string {
    if (this.episodeId === null) {
      // Refused locally: sending no id would act on someone else's most recent episode (§3.2).
      throw new ClientError('EXECUTION_ERROR', 'no_episode', 'No episode on this client: call reset() first.');
    }
    return this.episodeId;
  }
}
