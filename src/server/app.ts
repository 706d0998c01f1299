/**
 * The server, assembled. `buildApp(config)` reads as the table of contents of the protocol:
 * conventions (CORS, bodies, errors), then each group of routes as its own plugin.
 */
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { registerBodyParser, toJson } from './body.ts';
import type { ServerConfig } from './config.ts';
import { EnvService } from './core.ts';
import { registerErrorHandling, registerNotFound } from './errors.ts';
import { logServedUrls, textLogStream } from './log.ts';
import { McpDispatcher, mcpRoutes } from './mcp.ts';
import { openapiRoutes, registerOpenapi } from './openapi.ts';
import { registerSchemaValidation } from './validation.ts';
import type { ContractChecker } from '../protocol/contract.ts';
import { auditReplies } from './contract-audit.ts';
import { envRoutes } from './routes/env.ts';
import { episodeRoutes } from './routes/episodes.ts';
import { metaRoutes } from './routes/meta.ts';
import { taskApiRoutes } from './routes/task-api.ts';
import { Metrics, instrumentStore, metricsRoutes, registerRequestMetrics } from './metrics.ts';
import { ViolationLog, registerRequestIds, requestIdFor } from './observability.ts';
import { KeyRing, registerAuth } from './security/auth.ts';
import { clientErrorHandler, frameworkErrorHandler } from './security/framework-errors.ts';
import { registerRateLimit } from './security/limits.ts';
import { registerBrowserSafety } from './security/origins.ts';
import { closeRefusedUpgrades, type Problem } from './security/problem.ts';
import { closeWithDeadline, serverTimeoutOptions, startWsHeartbeat } from './security/timeouts.ts';
import { SessionManager } from './sessions.ts';
import { openPostgresStore } from './store/postgres.ts';
import { openSqliteStore } from './store/sqlite.ts';
import type { EpisodeStore, RetentionPolicy } from './store/types.ts';
import { wsRoutes } from './ws.ts';
import { webPlugin } from './web.ts';

export interface AppHandle {
  app: FastifyInstance;
  service: EnvService;
  store: EpisodeStore;
  metrics: Metrics;
  /** Graceful close bounded by SHUTDOWN_TIMEOUT_S (then remaining connections are destroyed). */
  shutdown(): Promise<void>;
}

/** An hour past the idle limit: an episode whose connection is open but silent is not deleted under it. */
const UNFINISHED_GRACE_S = 3600;

/**
 * The store's retention: finished episodes by COMPLETED_RETENTION / COMPLETED_MAX_AGE_S;
 * unfinished ones expire after SESSION_IDLE_TIMEOUT_S without a step (the service refuses them
 * from then on) and are deleted an hour later.
 */
export function retentionOf(config: ServerConfig): RetentionPolicy {
  return {
    maxCount: config.completedRetention,
    maxAgeS: config.completedMaxAgeS,
    unfinishedIdleS: config.sessionIdleTimeoutS > 0 ? config.sessionIdleTimeoutS + UNFINISHED_GRACE_S : 0,
  };
}

/**
 * The store the configuration names: PostgreSQL for a `STORE_URL`, else the SQLite file. Throws
 * StoreOpenError (one line naming the store, the cause and the fix) when it cannot be used.
 */
export async function openStore(config: ServerConfig, log?: { warn(obj: object, msg: string): void }): Promise<EpisodeStore> {
  if (config.storeUrl !== null) {
    return openPostgresStore({
      url: config.storeUrl,
      retention: retentionOf(config),
      poolSize: config.storePoolSize,
      onBackgroundError: (err) => log?.warn({ err: err.message }, 'episode store connection lost (the pool reconnects on the next request)'),
    });
  }
  return openSqliteStore({ file: config.storePath, retention: retentionOf(config) });
}

export interface BuildOptions {
  store?: EpisodeStore;
  sharedStore?: boolean;
  /** Checks every reply, frame and JSON-RPC response against its declared schema (tests). */
  contract?: ContractChecker;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: NodeJS.WritableStream;
}

export async function buildApp(config: ServerConfig, options: BuildOptions = {}): Promise<AppHandle> {
  // Created first: the parser-level handlers below report to them. Sources are read at scrape time.
  let sessions: SessionManager | null = null;
  const metrics = new Metrics(
    { activeSessions: () => sessions?.activeSessions ?? 0, liveEpisodes: () => sessions?.liveEpisodes ?? 0 },
    { processMetrics: config.metrics },
  );
  const violations = new ViolationLog(() => app.log);
  const onReject = (p: Problem, request?: { id: string; ip: string }) => {
    metrics.reject(p.reason);
    violations.warn('request refused', null, { status: p.status, reason: p.reason, reqId: request?.id, client: request?.ip });
  };
  const app = Fastify({
    logger:
      config.logLevel === false
        ? false
        : options.logStream
          ? { level: config.logLevel, stream: options.logStream }
          : config.logFormat === 'json'
            ? { level: config.logLevel }
            : { level: config.logLevel, stream: textLogStream() },
    // One line per request would drown the errors worth reading; start, stop and errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.maxBodyBytes,
    ...serverTimeoutOptions(config),
    clientErrorHandler: clientErrorHandler(config.requestTimeoutS, (p) => onReject(p)),
    frameworkErrors: frameworkErrorHandler(onReject),
    // X-Request-Id: the client's when well-formed, else a new UUID (observability.ts).
    requestIdHeader: false,
    genReqId: requestIdFor,
    trustProxy: config.trustProxy,
    return503OnClosing: false,
    // Episode ids may be 255 characters (percent-encoded, up to three times that) in /episodes/{id}.
    routerOptions: { maxParamLength: 1024 },
    forceCloseConnections: 'idle',
  });

  // Throws StoreOpenError (one line: file, cause, fix) when the store cannot be used.
  const rawStore = options.store ?? (await openStore(config, app.log));
  const store = instrumentStore(rawStore, metrics);
  sessions = new SessionManager({
    maxSessions: config.maxConcurrentEnvs,
    idleTimeoutMs: config.sessionIdleTimeoutS * 1000,
    maxSessionsPerClient: config.maxSessionsPerClient,
    maxEpisodesPerClient: config.maxEpisodesPerClient,
  });
  const service = new EnvService(sessions, store, {
    log: app.log,
    // Replicas (PostgreSQL) and workers (one SQLite file) write the same log.
    sharedStore: options.sharedStore ?? (config.storeUrl !== null || config.workers > 1),
    replicaId: config.replicaId,
  });
  service.onStep = (episode) => metrics.step(episode.owner.kind === 'http' ? 'http' : 'connection');
  service.isolation = config.episodeIsolation;
  const dispatcher = new McpDispatcher(service, (err) => app.log.error({ err }, 'internal error in MCP'));

  // Before any route: request ids, Host/Origin checks and CORS, API keys, rate limits, metrics.
  registerRequestIds(app, { accessLog: config.accessLog });
  closeRefusedUpgrades(app);
  await registerBrowserSafety(app, { corsOrigins: config.corsOrigins, allowedHosts: config.allowedHosts }, onReject);
  registerAuth(app, new KeyRing(config.apiKeys), onReject);
  await registerRateLimit(
    app,
    { max: config.rateLimitMax, windowS: config.rateLimitWindowS, exempt: config.rateLimitExempt },
    onReject,
  );
  registerRequestMetrics(app, metrics);
  registerBodyParser(app, config.maxBodyBytes);
  registerSchemaValidation(app);
  app.setReplySerializer((payload) => toJson(payload));
  await registerOpenapi(app);
  registerErrorHandling(app);
  registerNotFound(app);

  await app.register(websocket, {
    options: { maxPayload: config.maxWsMessageBytes },
    // A bad frame is the client's mistake: one warn line (rate-limited), no stack, then terminate.
    errorHandler: (error, socket, request) => {
      violations.warn('WebSocket protocol violation', error as Error & { code?: string }, { reqId: request.id, client: request.ip });
      socket.terminate();
    },
    // Shutdown: say goodbye with 1001 (going away) rather than dropping sockets.
    preClose(done) {
      for (const client of app.websocketServer.clients) client.close(1001, 'server shutting down');
      app.websocketServer.close();
      done();
    },
  });

  logServedUrls(app, config.web, config.logFormat);
  if (options.contract) auditReplies(app, dispatcher, options.contract);
  await app.register(metaRoutes, { service, web: config.web });
  await app.register(envRoutes, { service });
  await app.register(episodeRoutes, { service });
  await app.register(taskApiRoutes);
  await app.register(mcpRoutes, { service, dispatcher });
  await app.register(wsRoutes, { service, dispatcher });
  await app.register(openapiRoutes);
  if (config.metrics) await app.register(metricsRoutes, { metrics });
  if (config.web) await app.register(webPlugin);
  const stopHeartbeat = startWsHeartbeat(app.websocketServer, config.wsPingIntervalS * 1000);

  // The shared, read-only world (data set, warmed-up model) is built by the first reset (~30 ms,
  // once per process), not here: a server that is never used does not hold it (idle RSS: README).

  sessions.startReaper(() => {
    store.prune().catch((err) => app.log.warn({ err }, 'episode store retention failed'));
  });
  app.addHook('onClose', async () => {
    sessions.stopReaper();
    stopHeartbeat();
    await store.close();
  });
  const shutdown = () =>
    closeWithDeadline(app, config.shutdownTimeoutS * 1000, () =>
      app.log.warn(`shutdown deadline (${config.shutdownTimeoutS} s) reached: closing the remaining connections`),
    );
  return { app, service, store, metrics, shutdown };
}
