/**
 * Starting and stopping the server process: its settings (environment variables, flags over
 * them — docs/protocol.md §1.1), the worker processes of `--workers N`, SIGTERM/SIGINT and the
 * graceful shutdown. The bundled entry point (main.ts, what `npm start` runs) and the CLI's
 * `dataselectenv serve` both parse their flags from SERVE_FLAGS and call `runServer`; neither
 * starts, signals or stops anything itself.
 */
import type { ConfigInput } from './config.ts';

/** One command-line flag of the server: `--name <value>`, or a switch. */
export interface ServeFlag {
  /** The flag without dashes, kebab-case (`max-body-bytes`). A switch named `no-x` turns `x` off. */
  name: string;
  /** `<n>`, `<s>`, … for a flag with a value; absent for a switch. */
  value?: string;
  /** The configuration variable it sets (flags win over the environment). */
  variable: keyof ConfigInput;
  help: string;
}

/** Every flag of `serve` (and of the bundled server), in the order `--help` lists them. */
export const SERVE_FLAGS: readonly ServeFlag[] = [
  { name: 'port', value: '<n>', variable: 'PORT', help: 'TCP port (env PORT, default 7860)' },
  { name: 'host', value: '<addr>', variable: 'HOST', help: 'bind address (env HOST, default 0.0.0.0)' },
  { name: 'max-concurrent-envs', value: '<n>', variable: 'MAX_CONCURRENT_ENVS', help: 'session capacity and live HTTP episode pool (env MAX_CONCURRENT_ENVS, default 256)' },
  { name: 'session-idle-timeout', value: '<s>', variable: 'SESSION_IDLE_TIMEOUT_S', help: 'idle seconds before reaping, 0 = never (env SESSION_IDLE_TIMEOUT_S, default 600)' },
  { name: 'max-body-bytes', value: '<n>', variable: 'MAX_BODY_BYTES', help: 'largest HTTP body (env MAX_BODY_BYTES, default 65536)' },
  { name: 'max-ws-message-bytes', value: '<n>', variable: 'MAX_WS_MESSAGE_BYTES', help: 'largest WebSocket message (env MAX_WS_MESSAGE_BYTES, default 65536)' },
  { name: 'data-dir', value: '<dir>', variable: 'DATA_DIR', help: 'data directory; store = DIR/episodes.sqlite (env DATA_DIR, default ./data)' },
  { name: 'store-path', value: '<file>', variable: 'STORE_PATH', help: 'store file, or :memory: (env STORE_PATH)' },
  { name: 'completed-retention', value: '<n>', variable: 'COMPLETED_RETENTION', help: 'most completed episodes kept, 0 = no limit (env COMPLETED_RETENTION, default 10000)' },
  { name: 'completed-max-age', value: '<s>', variable: 'COMPLETED_MAX_AGE_S', help: 'evict completed episodes older than this, 0 = never (env COMPLETED_MAX_AGE_S, default 0)' },
  { name: 'no-web', variable: 'WEB', help: 'do not serve the browser console under /web (env WEB=0)' },
  { name: 'log-level', value: '<level>', variable: 'LOG_LEVEL', help: 'fatal, error, warn, info, debug (env LOG_LEVEL, default info)' },
  { name: 'request-timeout', value: '<s>', variable: 'REQUEST_TIMEOUT_S', help: 'headers + body must arrive within this, 0 = no limit (env REQUEST_TIMEOUT_S, default 30)' },
  { name: 'headers-timeout', value: '<s>', variable: 'HEADERS_TIMEOUT_S', help: 'headers must arrive within this (env HEADERS_TIMEOUT_S, default 10)' },
  { name: 'keep-alive-timeout', value: '<s>', variable: 'KEEP_ALIVE_TIMEOUT_S', help: 'close idle keep-alive connections after this (env KEEP_ALIVE_TIMEOUT_S, default 72)' },
  { name: 'ws-ping-interval', value: '<s>', variable: 'WS_PING_INTERVAL_S', help: 'WebSocket ping interval, dead peers terminated, 0 = off (env WS_PING_INTERVAL_S, default 30)' },
  { name: 'shutdown-timeout', value: '<s>', variable: 'SHUTDOWN_TIMEOUT_S', help: 'graceful shutdown deadline (env SHUTDOWN_TIMEOUT_S, default 10)' },
  // Keys themselves only from the environment (API_KEYS) or a file: a command line is visible to every user.
  { name: 'api-keys-file', value: '<file>', variable: 'API_KEYS_FILE', help: 'require Authorization: Bearer <key>, keys one a line (env API_KEYS_FILE; or API_KEYS=k1,k2)' },
  { name: 'episode-isolation', value: '<0|1>', variable: 'EPISODE_ISOLATION', help: 'keys see only their own episodes (env EPISODE_ISOLATION, default 1 with keys)' },
  { name: 'cors-origins', value: '<list>', variable: 'CORS_ORIGINS', help: 'cross-origin origins allowed, * = any (env CORS_ORIGINS, default: same origin only)' },
  { name: 'allowed-hosts', value: '<list>', variable: 'ALLOWED_HOSTS', help: 'Host names served, * = any (env ALLOWED_HOSTS, default: loopback names on a loopback bind)' },
  { name: 'trust-proxy', value: '<v>', variable: 'TRUST_PROXY', help: 'client address from X-Forwarded-For: 1, or the proxy addresses (env TRUST_PROXY, default 0)' },
  { name: 'rate-limit-max', value: '<n>', variable: 'RATE_LIMIT_MAX', help: 'requests per window per client, 0 = off (env RATE_LIMIT_MAX, default 20000)' },
  { name: 'rate-limit-window', value: '<s>', variable: 'RATE_LIMIT_WINDOW_S', help: 'rate-limit window (env RATE_LIMIT_WINDOW_S, default 60)' },
  { name: 'rate-limit-exempt', value: '<list>', variable: 'RATE_LIMIT_EXEMPT', help: 'addresses never rate-limited, loopback = 127.0.0.0/8 and ::1 (env RATE_LIMIT_EXEMPT, default loopback)' },
  { name: 'max-sessions-per-client', value: '<n>', variable: 'MAX_SESSIONS_PER_CLIENT', help: 'sessions one client may hold (env MAX_SESSIONS_PER_CLIENT, default half the capacity)' },
  { name: 'max-episodes-per-client', value: '<n>', variable: 'MAX_EPISODES_PER_CLIENT', help: 'live HTTP episodes one client may hold (env MAX_EPISODES_PER_CLIENT, default half the pool)' },
  { name: 'no-metrics', variable: 'METRICS', help: 'do not serve Prometheus metrics on /metrics (env METRICS=0)' },
  { name: 'access-log', variable: 'ACCESS_LOG', help: 'one log line per response (env ACCESS_LOG=1)' },
  { name: 'log-format', value: '<format>', variable: 'LOG_FORMAT', help: 'text (one readable line per record) or json (env LOG_FORMAT, default text)' },
  { name: 'store-url', value: '<url>', variable: 'STORE_URL', help: 'postgres://USER:PASSWORD@HOST:PORT/DB: the PostgreSQL store replicas share (env STORE_URL; default: the SQLite file)' },
  { name: 'store-pool-size', value: '<n>', variable: 'STORE_POOL_SIZE', help: 'connections to the PostgreSQL store per process (env STORE_POOL_SIZE, default 10)' },
  { name: 'replica-id', value: '<id>', variable: 'REPLICA_ID', help: 'name of this process in /health (env REPLICA_ID, default hostname:pid)' },
  { name: 'workers', value: '<n>', variable: 'WORKERS', help: 'worker processes serving the port over the same store (env WORKERS, default 1)' },
];

/** What a flag parser found: a flag's value by its kebab name (`no-web` → `web: false`). */
export type ParsedFlags = Readonly<Record<string, string | boolean | undefined>>;

/** The flag's key in ParsedFlags: `no-web` → `web`. */
export function flagKey(flag: ServeFlag): string {
  return flag.name.startsWith('no-') ? flag.name.slice(3) : flag.name;
}

/**
 * The configuration input: every variable from the environment, a flag over it. A `no-x` switch
 * only ever turns its variable off; another switch only turns it on.
 */
export function configInputFrom(flags: ParsedFlags, env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const input: Record<string, string | boolean | undefined> = { API_KEYS: env.API_KEYS };
  for (const flag of SERVE_FLAGS) {
    const given = flags[flagKey(flag)];
    const fromEnv = env[flag.variable];
    if (flag.value !== undefined) input[flag.variable] = typeof given === 'string' ? given : fromEnv;
    else if (flag.name.startsWith('no-')) input[flag.variable] = given === false ? false : fromEnv;
    else input[flag.variable] = given === true ? true : fromEnv;
  }
  return input as ConfigInput;
}

/**
 * node:sqlite works as documented for this store but Node 24 still flags it experimental and
 * prints a warning at first import, which reads like an error at the top of every server log.
 * Only that one warning is dropped; every other warning still goes through.
 */
export function silenceSqliteExperimentalWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if ((type === 'ExperimentalWarning' || (warning as Error).name === 'ExperimentalWarning') && /SQLite/i.test(text)) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** Writes one line to stderr and exits: the operator's errors are never stack traces. */
function fail(name: string, message: string, code: number): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(code);
}

/**
 * Runs the server process until a signal stops it: checks the configuration (exit 2 with one
 * line when it is invalid), opens the store (exit 2 when it cannot be trusted), forks and
 * supervises the workers of `--workers N` (each re-runs this program and serves), listens (exit 1
 * when the port cannot be bound), and on SIGTERM/SIGINT stops accepting, lets in-flight requests
 * finish (at most SHUTDOWN_TIMEOUT_S), closes sockets with 1001 and the store, and exits 0.
 * `name` prefixes the one-line messages (`dataselectenv serve`).
 */
export async function runServer(input: ConfigInput, name = 'dataselectenv serve'): Promise<void> {
  silenceSqliteExperimentalWarning();
  // Loaded here, not at the top: the CLI's other commands import this module's flag table only.
  const { ConfigError, loadConfig } = await import('./config.ts');
  const { buildApp, openStore } = await import('./app.ts');
  const { StoreOpenError } = await import('./store/types.ts');
  const { isWorker, runPrimary, workerSlot } = await import('./workers.ts');
  let config;
  try {
    config = loadConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) fail(name, `invalid configuration: ${e.message}`, 2);
    throw e;
  }
  if (config.workers > 1 && !isWorker()) {
    // The primary opens the store once (checks, migrations: one message if it cannot), then
    // only supervises; each worker re-runs this program and serves.
    try {
      await (await openStore(config)).close();
    } catch (e) {
      if (e instanceof StoreOpenError) fail(name, e.message, 2);
      throw e;
    }
    process.exit(await runPrimary(config.workers));
  }
  const slot = workerSlot();
  if (slot !== null) config = { ...config, replicaId: `${config.replicaId}/${slot}` };
  let built;
  try {
    built = await buildApp(config);
  } catch (e) {
    // A store that cannot be used is the operator's to fix: one line, exit 2, no stack.
    if (e instanceof StoreOpenError) fail(name, e.message, 2);
    throw e;
  }
  const { app, shutdown } = built;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal}: closing (in-flight requests finish, sockets get 1001, the store is closed)`);
    // Stops accepting, waits for in-flight requests (at most SHUTDOWN_TIMEOUT_S), runs the close hooks.
    shutdown().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    fail(name, `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`, 1);
  }
}
