import type { Command } from 'commander';
import type { ConfigInput } from '../../server/config.ts';
import { addDatasetOptions, applyDatasetOptions, type DatasetFlags } from '../dataset-option.ts';
import { describeError } from '../errors.ts';

interface ServeFlags extends DatasetFlags {
  port?: string;
  host?: string;
  maxConcurrentEnvs?: string;
  sessionIdleTimeout?: string;
  maxBodyBytes?: string;
  maxWsMessageBytes?: string;
  dataDir?: string;
  storePath?: string;
  completedRetention?: string;
  completedMaxAge?: string;
  web?: boolean;
  logLevel?: string;
  requestTimeout?: string;
  headersTimeout?: string;
  keepAliveTimeout?: string;
  wsPingInterval?: string;
  shutdownTimeout?: string;
  logFormat?: string;
  storeUrl?: string;
  storePoolSize?: string;
  replicaId?: string;
  workers?: string;
  apiKeysFile?: string;
  episodeIsolation?: string;
  corsOrigins?: string;
  allowedHosts?: string;
  trustProxy?: string;
  rateLimitMax?: string;
  rateLimitWindow?: string;
  rateLimitExempt?: string;
  maxSessionsPerClient?: string;
  maxEpisodesPerClient?: string;
  metrics?: boolean;
  accessLog?: boolean;
}

/** Environment variables first, flags over them (docs/protocol.md §1.1). */
function configInput(flags: ServeFlags): ConfigInput {
  const env = process.env;
  const pick = (flag: string | undefined, name: string) => flag ?? env[name];
  return {
    PORT: pick(flags.port, 'PORT'),
    HOST: pick(flags.host, 'HOST'),
    MAX_CONCURRENT_ENVS: pick(flags.maxConcurrentEnvs, 'MAX_CONCURRENT_ENVS'),
    SESSION_IDLE_TIMEOUT_S: pick(flags.sessionIdleTimeout, 'SESSION_IDLE_TIMEOUT_S'),
    MAX_BODY_BYTES: pick(flags.maxBodyBytes, 'MAX_BODY_BYTES'),
    MAX_WS_MESSAGE_BYTES: pick(flags.maxWsMessageBytes, 'MAX_WS_MESSAGE_BYTES'),
    DATA_DIR: pick(flags.dataDir, 'DATA_DIR'),
    STORE_PATH: pick(flags.storePath, 'STORE_PATH'),
    COMPLETED_RETENTION: pick(flags.completedRetention, 'COMPLETED_RETENTION'),
    COMPLETED_MAX_AGE_S: pick(flags.completedMaxAge, 'COMPLETED_MAX_AGE_S'),
    // commander sets web=false for --no-web and true otherwise, so only the flag's "no" wins over WEB.
    WEB: flags.web === false ? false : env.WEB,
    LOG_LEVEL: pick(flags.logLevel, 'LOG_LEVEL'),
    REQUEST_TIMEOUT_S: pick(flags.requestTimeout, 'REQUEST_TIMEOUT_S'),
    HEADERS_TIMEOUT_S: pick(flags.headersTimeout, 'HEADERS_TIMEOUT_S'),
    KEEP_ALIVE_TIMEOUT_S: pick(flags.keepAliveTimeout, 'KEEP_ALIVE_TIMEOUT_S'),
    WS_PING_INTERVAL_S: pick(flags.wsPingInterval, 'WS_PING_INTERVAL_S'),
    SHUTDOWN_TIMEOUT_S: pick(flags.shutdownTimeout, 'SHUTDOWN_TIMEOUT_S'),
    // Keys themselves only from the environment or a file: a command line is visible to every user.
    API_KEYS: env.API_KEYS,
    API_KEYS_FILE: pick(flags.apiKeysFile, 'API_KEYS_FILE'),
    EPISODE_ISOLATION: pick(flags.episodeIsolation, 'EPISODE_ISOLATION'),
    CORS_ORIGINS: pick(flags.corsOrigins, 'CORS_ORIGINS'),
    ALLOWED_HOSTS: pick(flags.allowedHosts, 'ALLOWED_HOSTS'),
    TRUST_PROXY: pick(flags.trustProxy, 'TRUST_PROXY'),
    RATE_LIMIT_MAX: pick(flags.rateLimitMax, 'RATE_LIMIT_MAX'),
    RATE_LIMIT_WINDOW_S: pick(flags.rateLimitWindow, 'RATE_LIMIT_WINDOW_S'),
    RATE_LIMIT_EXEMPT: pick(flags.rateLimitExempt, 'RATE_LIMIT_EXEMPT'),
    MAX_SESSIONS_PER_CLIENT: pick(flags.maxSessionsPerClient, 'MAX_SESSIONS_PER_CLIENT'),
    MAX_EPISODES_PER_CLIENT: pick(flags.maxEpisodesPerClient, 'MAX_EPISODES_PER_CLIENT'),
    METRICS: flags.metrics === false ? false : env.METRICS,
    ACCESS_LOG: flags.accessLog === true ? true : env.ACCESS_LOG,
    LOG_FORMAT: pick(flags.logFormat, 'LOG_FORMAT'),
    STORE_URL: pick(flags.storeUrl, 'STORE_URL'),
    STORE_POOL_SIZE: pick(flags.storePoolSize, 'STORE_POOL_SIZE'),
    REPLICA_ID: pick(flags.replicaId, 'REPLICA_ID'),
    WORKERS: pick(flags.workers, 'WORKERS'),
  };
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

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('serve the environment over HTTP + WebSocket + MCP (same as npm start)')
    .option('--port <n>', 'TCP port (env PORT, default 7860)')
    .option('--host <addr>', 'bind address (env HOST, default 0.0.0.0)')
    .option('--max-concurrent-envs <n>', 'session capacity and live HTTP episode pool (env MAX_CONCURRENT_ENVS, default 256)')
    .option('--session-idle-timeout <s>', 'idle seconds before reaping, 0 = never (env SESSION_IDLE_TIMEOUT_S, default 600)')
    .option('--max-body-bytes <n>', 'largest HTTP body (env MAX_BODY_BYTES, default 65536)')
    .option('--max-ws-message-bytes <n>', 'largest WebSocket message (env MAX_WS_MESSAGE_BYTES, default 65536)')
    .option('--data-dir <dir>', 'data directory; store = DIR/episodes.sqlite (env DATA_DIR, default ./data)')
    .option('--store-path <file>', 'store file, or :memory: (env STORE_PATH)')
    .option('--completed-retention <n>', 'most completed episodes kept, 0 = no limit (env COMPLETED_RETENTION, default 10000)')
    .option('--completed-max-age <s>', 'evict completed episodes older than this, 0 = never (env COMPLETED_MAX_AGE_S, default 0)')
    .option('--no-web', 'do not serve the browser console under /web (env WEB=0)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug (env LOG_LEVEL, default info)')
    .option('--request-timeout <s>', 'headers + body must arrive within this, 0 = no limit (env REQUEST_TIMEOUT_S, default 30)')
    .option('--headers-timeout <s>', 'headers must arrive within this (env HEADERS_TIMEOUT_S, default 10)')
    .option('--keep-alive-timeout <s>', 'close idle keep-alive connections after this (env KEEP_ALIVE_TIMEOUT_S, default 72)')
    .option('--ws-ping-interval <s>', 'WebSocket ping interval, dead peers terminated, 0 = off (env WS_PING_INTERVAL_S, default 30)')
    .option('--shutdown-timeout <s>', 'graceful shutdown deadline (env SHUTDOWN_TIMEOUT_S, default 10)')
    .option('--api-keys-file <file>', 'require Authorization: Bearer <key>, keys one a line (env API_KEYS_FILE; or API_KEYS=k1,k2)')
    .option('--episode-isolation <0|1>', 'keys see only their own episodes (env EPISODE_ISOLATION, default 1 with keys)')
    .option('--cors-origins <list>', 'cross-origin origins allowed, * = any (env CORS_ORIGINS, default: same origin only)')
    .option('--allowed-hosts <list>', 'Host names served, * = any (env ALLOWED_HOSTS, default: loopback names on a loopback bind)')
    .option('--trust-proxy <v>', 'client address from X-Forwarded-For: 1, or the proxy addresses (env TRUST_PROXY, default 0)')
    .option('--rate-limit-max <n>', 'requests per window per client, 0 = off (env RATE_LIMIT_MAX, default 20000)')
    .option('--rate-limit-window <s>', 'rate-limit window (env RATE_LIMIT_WINDOW_S, default 60)')
    .option('--rate-limit-exempt <list>', 'addresses never rate-limited, loopback = 127.0.0.0/8 and ::1 (env RATE_LIMIT_EXEMPT, default loopback)')
    .option('--max-sessions-per-client <n>', 'sessions one client may hold (env MAX_SESSIONS_PER_CLIENT, default half the capacity)')
    .option('--max-episodes-per-client <n>', 'live HTTP episodes one client may hold (env MAX_EPISODES_PER_CLIENT, default half the pool)')
    .option('--no-metrics', 'do not serve Prometheus metrics on /metrics (env METRICS=0)')
    .option('--access-log', 'one log line per response (env ACCESS_LOG=1)')
    .option('--log-format <format>', 'text (one readable line per record) or json (env LOG_FORMAT, default text)')
    .option('--store-url <url>', 'postgres://USER:PASSWORD@HOST:PORT/DB: the PostgreSQL store replicas share (env STORE_URL; default: the SQLite file)')
    .option('--store-pool-size <n>', 'connections to the PostgreSQL store per process (env STORE_POOL_SIZE, default 10)')
    .option('--replica-id <id>', 'name of this process in /health (env REPLICA_ID, default hostname:pid)')
    .option('--workers <n>', 'worker processes serving the port over the same store (env WORKERS, default 1)');
  addDatasetOptions(serve).action(async (flags: ServeFlags) => {
      // Loaded here, not at the top: other commands should not pay for the server.
      silenceSqliteExperimentalWarning();
      // A user's CSV joins the task registry first (every worker re-runs this, so each has it).
      try {
        applyDatasetOptions(flags);
      } catch (e) {
        const d = describeError(e);
        process.stderr.write(`dataselectenv serve: ${d.message}\n`);
        process.exit(2);
      }
      const { ConfigError, loadConfig } = await import('../../server/config.ts');
      const { buildApp } = await import('../../server/app.ts');
      let config;
      try {
        config = loadConfig(configInput(flags));
      } catch (e) {
        if (e instanceof ConfigError) {
          process.stderr.write(`dataselectenv serve: invalid configuration: ${e.message}\n`);
          process.exit(2);
        }
        throw e;
      }
      const { StoreOpenError } = await import('../../server/store/types.ts');
      const { isWorker, runPrimary, workerSlot } = await import('../../server/workers.ts');
      if (config.workers > 1 && !isWorker()) {
        // The primary opens the store once (checks, migrations: one message if it cannot), then
        // only supervises; each worker re-runs this command and serves.
        const { openStore } = await import('../../server/app.ts');
        try {
          await (await openStore(config)).close();
        } catch (e) {
          if (e instanceof StoreOpenError) {
            process.stderr.write(`dataselectenv serve: ${e.message}\n`);
            process.exit(2);
          }
          throw e;
        }
        process.exit(await runPrimary(config.workers));
      }
      const slot = workerSlot();
      if (slot !== null) config = { ...config, replicaId: `${config.replicaId}/${slot}` };
      let app;
      let shutdown: () => Promise<void>;
      try {
        ({ app, shutdown } = await buildApp(config));
      } catch (e) {
        // A store that cannot be used is the operator's to fix: one line, exit 2, no stack.
        if (e instanceof StoreOpenError) {
          process.stderr.write(`dataselectenv serve: ${e.message}\n`);
          process.exit(2);
        }
        throw e;
      }
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
        process.stderr.write(`dataselectenv serve: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
}
