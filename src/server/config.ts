/**
 * Server configuration (docs/protocol.md §1.1): environment variables, optionally overridden by CLI
 * flags, validated once at start. An invalid value is a `ConfigError` with a message naming the
 * variable, so the server refuses to start instead of running with a surprising limit.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { LOG_FORMATS, type LogFormat } from './log.ts';
import { readKeys } from './security/auth.ts';
import { canonicalOrigin, defaultAllowedHosts } from './security/origins.ts';

export interface ServerConfig {
  port: number;
  host: string;
  /** Concurrent sessions (WS connections, MCP sessions) and size of the live HTTP episode pool. */
  maxConcurrentEnvs: number;
  /** Idle seconds before a session or live HTTP episode is reaped; 0 disables reaping. */
  sessionIdleTimeoutS: number;
  maxBodyBytes: number;
  maxWsMessageBytes: number;
  dataDir: string;
  /** Store file; `:memory:` keeps it in memory. Derived from dataDir unless STORE_PATH is set. */
  storePath: string;
  /** Most completed episodes kept; 0 = no count limit. */
  completedRetention: number;
  /** Completed episodes older than this are evicted; 0 = no age limit. */
  completedMaxAgeS: number;
  /** Serve the browser console under /web. */
  web: boolean;
  /** pino level, or false for no logging (tests). */
  logLevel: string | false;
  /** Headers and body of a request must arrive within this; 0 = no limit. */
  requestTimeoutS: number;
  /** Headers must arrive within this (at most requestTimeoutS). */
  headersTimeoutS: number;
  /** An idle keep-alive HTTP connection is closed after this. */
  keepAliveTimeoutS: number;
  /** WebSocket ping interval; a peer that missed the previous pong is terminated. 0 = off. */
  wsPingIntervalS: number;
  /** Graceful shutdown waits at most this long before closing the remaining connections. */
  shutdownTimeoutS: number;
  /** `text`: one readable line per record (default); `json`: pino's JSON lines. */
  logFormat: LogFormat;
  /** `postgres://…` selects the PostgreSQL store (shared by replicas); null = the SQLite file at storePath. */
  storeUrl: string | null;
  /** Connections per process to the PostgreSQL store. */
  storePoolSize: number;
  /** Names this process in /health (replicas behind a balancer); default `hostname:pid`. */
  replicaId: string;
  /** Worker processes serving the port (`serve --workers N`); 1 = this process serves. */
  workers: number;
  /** API keys; empty = no authentication. */
  apiKeys: string[];
  /** Keys see and act on only their own episodes (default on when keys are set). */
  episodeIsolation: boolean;
  /** Cross-origin origins allowed ('*' = any); empty = same origin only. */
  corsOrigins: '*' | string[];
  /** Accepted Host names, or null for any (default: loopback names when bound to the loopback). */
  allowedHosts: string[] | null;
  /** fastify `trustProxy`: false, true, or the proxies' addresses. */
  trustProxy: boolean | string;
  /** Requests per window per client (0 = no rate limit), and the exempt addresses. */
  rateLimitMax: number;
  rateLimitWindowS: number;
  rateLimitExempt: string[];
  /** Sessions one client may hold, and live HTTP episodes it may keep in the pool. */
  maxSessionsPerClient: number;
  maxEpisodesPerClient: number;
  /** Serve Prometheus metrics on GET /metrics. */
  metrics: boolean;
  /** One log line per response. */
  accessLog: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The port of the container image (Dockerfile) and of openenv.yaml: OpenEnv's launchers map
 * `-p <host>:8000` (LocalDockerProvider) and `openenv push` writes app_port 8000. Outside the
 * image the default stays 7860, the original's and Hugging Face Spaces' port, for its clients.
 */
export const CONTAINER_PORT = 8000;

export const DEFAULTS = Object.freeze({
  port: 7860,
  host: '0.0.0.0',
  maxConcurrentEnvs: 256,
  sessionIdleTimeoutS: 600,
  maxBodyBytes: 65536,
  maxWsMessageBytes: 65536,
  dataDir: './data',
  completedRetention: 10000,
  completedMaxAgeS: 0,
  requestTimeoutS: 30,
  headersTimeoutS: 10,
  // Above the 60 s idle timeout of common balancers, so they close first (no reset races).
  keepAliveTimeoutS: 72,
  wsPingIntervalS: 30,
  shutdownTimeoutS: 10,
  storePoolSize: 10,
  workers: 1,
  rateLimitMax: 20000,
  rateLimitWindowS: 60,
  rateLimitExempt: 'loopback',
});

/** Raw values as they come from the environment or the command line (strings), or typed overrides. */
export interface ConfigInput {
  PORT?: string | number;
  HOST?: string;
  MAX_CONCURRENT_ENVS?: string | number;
  SESSION_IDLE_TIMEOUT_S?: string | number;
  MAX_BODY_BYTES?: string | number;
  MAX_WS_MESSAGE_BYTES?: string | number;
  DATA_DIR?: string;
  STORE_PATH?: string;
  COMPLETED_RETENTION?: string | number;
  COMPLETED_MAX_AGE_S?: string | number;
  WEB?: string | boolean;
  LOG_LEVEL?: string | false;
  REQUEST_TIMEOUT_S?: string | number;
  HEADERS_TIMEOUT_S?: string | number;
  KEEP_ALIVE_TIMEOUT_S?: string | number;
  WS_PING_INTERVAL_S?: string | number;
  SHUTDOWN_TIMEOUT_S?: string | number;
  LOG_FORMAT?: string;
  STORE_URL?: string;
  STORE_POOL_SIZE?: string | number;
  REPLICA_ID?: string;
  WORKERS?: string | number;
  API_KEYS?: string;
  API_KEYS_FILE?: string;
  EPISODE_ISOLATION?: string | boolean;
  CORS_ORIGINS?: string;
  ALLOWED_HOSTS?: string;
  TRUST_PROXY?: string | boolean;
  RATE_LIMIT_MAX?: string | number;
  RATE_LIMIT_WINDOW_S?: string | number;
  RATE_LIMIT_EXEMPT?: string;
  MAX_SESSIONS_PER_CLIENT?: string | number;
  MAX_EPISODES_PER_CLIENT?: string | number;
  METRICS?: string | boolean;
  ACCESS_LOG?: string | boolean;
}

function readStoreUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError('STORE_URL must be a postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`STORE_URL must be a postgres:// URL (got the scheme ${JSON.stringify(url.protocol)}); leave it unset for the embedded SQLite store`);
  }
  return raw.trim();
}

function readReplicaId(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return `${hostname()}:${process.pid}`;
  // It goes into logs and /health: printable ASCII, short.
  if (!/^[\x21-\x7e]{1,128}$/.test(raw.trim())) throw new ConfigError('REPLICA_ID must be 1 to 128 printable ASCII characters without spaces');
  return raw.trim();
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function readOrigins(raw: string | undefined): '*' | string[] {
  const items = list(raw);
  if (items.includes('*')) return '*';
  return items.map((o) => {
    const origin = canonicalOrigin(o);
    if (origin === null || origin !== o.replace(/\/$/, '').toLowerCase()) {
      throw new ConfigError(`CORS_ORIGINS entries must be origins like https://example.org or http://localhost:5173 (got ${JSON.stringify(o)})`);
    }
    return origin;
  });
}

function readTrustProxy(raw: string | boolean | undefined): boolean | string {
  if (raw === undefined || raw === '') return false;
  if (typeof raw === 'boolean') return raw;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return list(raw).join(',');
}

function readNumber(
  name: string,
  raw: string | number | undefined,
  fallback: number,
  rule: { integer: boolean; min: number; max?: number },
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : /^\s*[0-9.eE+-]+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  const kind = rule.integer ? 'an integer' : 'a number';
  const range = rule.max === undefined ? `>= ${rule.min}` : `from ${rule.min} to ${rule.max}`;
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || value < rule.min || (rule.max !== undefined && value > rule.max)) {
    throw new ConfigError(`${name} must be ${kind} ${range} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function readBoolean(name: string, raw: string | boolean | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw === 'boolean') return raw;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be a boolean (1/0, true/false; got ${JSON.stringify(raw)})`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readLogLevel(raw: string | false | undefined): string | false {
  if (raw === false) return false;
  if (raw === undefined || raw === '') return 'info';
  if (!LOG_LEVELS.includes(raw)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw;
}

function readLogFormat(raw: string | undefined): LogFormat {
  if (raw === undefined || raw === '') return 'text';
  const v = raw.trim().toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(v)) {
    throw new ConfigError(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (got ${JSON.stringify(raw)})`);
  }
  return v as LogFormat;
}

/**
 * Builds a validated configuration. `input` is usually `process.env` merged with CLI flags
 * (flags win); unknown keys are ignored. Throws `ConfigError` on the first invalid value.
 */
export function loadConfig(input: ConfigInput = {}): ServerConfig {
  const dataDir = input.DATA_DIR && input.DATA_DIR !== '' ? input.DATA_DIR : DEFAULTS.dataDir;
  const storePath =
    input.STORE_PATH !== undefined && input.STORE_PATH !== '' ? input.STORE_PATH : path.join(dataDir, 'episodes.sqlite');
  const host = input.HOST !== undefined && input.HOST !== '' ? input.HOST : DEFAULTS.host;
  const seconds = (name: keyof ConfigInput, raw: string | number | undefined, fallback: number, min = 0) =>
    readNumber(name, raw, fallback, { integer: false, min, max: 86_400 });
  const requestTimeoutS = seconds('REQUEST_TIMEOUT_S', input.REQUEST_TIMEOUT_S, DEFAULTS.requestTimeoutS);
  const headersTimeoutS = seconds('HEADERS_TIMEOUT_S', input.HEADERS_TIMEOUT_S, Math.min(DEFAULTS.headersTimeoutS, requestTimeoutS || Infinity), 0.001);
  if (requestTimeoutS > 0 && headersTimeoutS > requestTimeoutS) {
    throw new ConfigError(`HEADERS_TIMEOUT_S (${headersTimeoutS}) must not exceed REQUEST_TIMEOUT_S (${requestTimeoutS})`);
  }
  const storeUrl = readStoreUrl(input.STORE_URL);
  const workers = readNumber('WORKERS', input.WORKERS, DEFAULTS.workers, { integer: true, min: 1, max: 64 });
  if (workers > 1 && storeUrl === null && storePath === ':memory:') {
    throw new ConfigError('WORKERS > 1 needs a store the workers share: a SQLite file (STORE_PATH / DATA_DIR) or STORE_URL, not :memory:');
  }
  let apiKeys: string[];
  try {
    apiKeys = readKeys(input.API_KEYS, input.API_KEYS_FILE);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const maxConcurrentEnvs = readNumber('MAX_CONCURRENT_ENVS', input.MAX_CONCURRENT_ENVS, DEFAULTS.maxConcurrentEnvs, {
    integer: true,
    min: 1,
  });
  // One client may hold at most half of the capacity by default, so it cannot lock out the rest.
  const half = Math.max(1, Math.ceil(maxConcurrentEnvs / 2));
  const hosts = input.ALLOWED_HOSTS?.trim();
  return {
    port: readNumber('PORT', input.PORT, DEFAULTS.port, { integer: true, min: 0, max: 65535 }),
    host,
    maxConcurrentEnvs,
    sessionIdleTimeoutS: readNumber('SESSION_IDLE_TIMEOUT_S', input.SESSION_IDLE_TIMEOUT_S, DEFAULTS.sessionIdleTimeoutS, {
      integer: false,
      min: 0,
    }),
    maxBodyBytes: readNumber('MAX_BODY_BYTES', input.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes, { integer: true, min: 1 }),
    maxWsMessageBytes: readNumber('MAX_WS_MESSAGE_BYTES', input.MAX_WS_MESSAGE_BYTES, DEFAULTS.maxWsMessageBytes, {
      integer: true,
      min: 1,
    }),
    dataDir,
    storePath,
    completedRetention: readNumber('COMPLETED_RETENTION', input.COMPLETED_RETENTION, DEFAULTS.completedRetention, {
      integer: true,
      min: 0,
    }),
    completedMaxAgeS: readNumber('COMPLETED_MAX_AGE_S', input.COMPLETED_MAX_AGE_S, DEFAULTS.completedMaxAgeS, {
      integer: false,
      min: 0,
    }),
    web: readBoolean('WEB', input.WEB, true),
    logLevel: readLogLevel(input.LOG_LEVEL),
    requestTimeoutS,
    headersTimeoutS,
    keepAliveTimeoutS: seconds('KEEP_ALIVE_TIMEOUT_S', input.KEEP_ALIVE_TIMEOUT_S, DEFAULTS.keepAliveTimeoutS, 0.001),
    wsPingIntervalS: seconds('WS_PING_INTERVAL_S', input.WS_PING_INTERVAL_S, DEFAULTS.wsPingIntervalS),
    shutdownTimeoutS: seconds('SHUTDOWN_TIMEOUT_S', input.SHUTDOWN_TIMEOUT_S, DEFAULTS.shutdownTimeoutS),
    logFormat: readLogFormat(input.LOG_FORMAT),
    storeUrl,
    storePoolSize: readNumber('STORE_POOL_SIZE', input.STORE_POOL_SIZE, DEFAULTS.storePoolSize, { integer: true, min: 1, max: 1000 }),
    replicaId: readReplicaId(input.REPLICA_ID),
    workers,
    apiKeys,
    episodeIsolation: readBoolean('EPISODE_ISOLATION', input.EPISODE_ISOLATION, apiKeys.length > 0),
    corsOrigins: readOrigins(input.CORS_ORIGINS),
    allowedHosts: hosts === '*' ? null : hosts ? list(hosts).map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')) : defaultAllowedHosts(host),
    trustProxy: readTrustProxy(input.TRUST_PROXY),
    rateLimitMax: readNumber('RATE_LIMIT_MAX', input.RATE_LIMIT_MAX, DEFAULTS.rateLimitMax, { integer: true, min: 0 }),
    rateLimitWindowS: readNumber('RATE_LIMIT_WINDOW_S', input.RATE_LIMIT_WINDOW_S, DEFAULTS.rateLimitWindowS, { integer: false, min: 0.01, max: 86_400 }),
    rateLimitExempt: list(input.RATE_LIMIT_EXEMPT ?? DEFAULTS.rateLimitExempt),
    maxSessionsPerClient: readNumber('MAX_SESSIONS_PER_CLIENT', input.MAX_SESSIONS_PER_CLIENT, half, { integer: true, min: 1 }),
    maxEpisodesPerClient: readNumber('MAX_EPISODES_PER_CLIENT', input.MAX_EPISODES_PER_CLIENT, half, { integer: true, min: 1 }),
    metrics: readBoolean('METRICS', input.METRICS, true),
    accessLog: readBoolean('ACCESS_LOG', input.ACCESS_LOG, false),
  };
}

/** A configuration for tests: in-memory store, port 0 on the loopback, no logging. */
export function testConfig(overrides: ConfigInput = {}): ServerConfig {
  return loadConfig({ STORE_PATH: ':memory:', PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: false, WEB: false, ...overrides });
}
