/**
 * Prometheus metrics (issue 13 item 8), one registry per app (tests run many apps in one
 * process). HTTP requests by route pattern and status with latency, sessions and live episodes
 * read at scrape time, steps, store writes (latency and failures: `observeStoreWrite` is the hook
 * a store calls, and `instrumentStore` wraps any store's `save` with it), rejections by reason.
 */
import client from 'prom-client';
import type { FastifyInstance } from 'fastify';

export interface MetricsSources {
  activeSessions(): number;
  liveEpisodes(): number;
}

export class Metrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'method' | 'route' | 'status'>;
  private readonly latency: client.Histogram<'method' | 'route'>;
  private readonly steps: client.Counter<'transport'>;
  private readonly episodesFinished: client.Counter;
  private readonly storeWrites: client.Histogram<'outcome'>;
  private readonly storeFailures: client.Counter;
  private readonly rejected: client.Counter<'reason'>;

  constructor(sources: MetricsSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new client.Counter({
      name: 'dse_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'dse_http_request_duration_seconds',
      help: 'Time from request to response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    new client.Gauge({
      name: 'dse_active_sessions',
      help: 'Open sessions (WebSocket connections and MCP sessions).',
      registers,
      collect() {
        this.set(sources.activeSessions());
      },
    });
    new client.Gauge({
      name: 'dse_live_episodes',
      help: 'Unfinished episodes held in memory (HTTP pool and connections).',
      registers,
      collect() {
        this.set(sources.liveEpisodes());
      },
    });
    this.steps = new client.Counter({ name: 'dse_steps_total', help: 'Accepted environment steps.', labelNames: ['transport'], registers });
    this.episodesFinished = new client.Counter({ name: 'dse_episodes_finished_total', help: 'Episodes finished and stored.', registers });
    this.storeWrites = new client.Histogram({
      name: 'dse_store_write_duration_seconds',
      help: 'Durable writes of finished episodes, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.storeFailures = new client.Counter({ name: 'dse_store_write_failures_total', help: 'Store writes that failed.', registers });
    this.rejected = new client.Counter({
      name: 'dse_rejected_requests_total',
      help: 'Requests refused before the protocol, by reason (auth, origin, rate limit, timeouts, malformed HTTP, capacity).',
      labelNames: ['reason'],
      registers,
    });
    if (options.processMetrics) client.collectDefaultMetrics({ register: this.registry, prefix: 'dse_' });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  step(transport: string): void {
    this.steps.inc({ transport });
  }

  episodeFinished(): void {
    this.episodesFinished.inc();
  }

  /** The store hook: one durable write, its duration and whether it succeeded. */
  observeStoreWrite(seconds: number, ok: boolean): void {
    this.storeWrites.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
    if (!ok) this.storeFailures.inc();
  }

  reject(reason: string): void {
    this.rejected.inc({ reason });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Store methods that write (whichever a backend has). */
const STORE_WRITES = new Set<string | symbol>(['save', 'createEpisode', 'appendStep', 'finishEpisode']);

/**
 * The same store with its writes timed into `metrics`, whether they are synchronous or return
 * promises; every other member passes through (bound to the store).
 */
export function instrumentStore<S extends object>(store: S, metrics: Metrics): S {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (!STORE_WRITES.has(key) || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const done = (ok: boolean) => metrics.observeStoreWrite((performance.now() - started) / 1000, ok);
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          done(false);
          throw e;
        }
        if (result instanceof Promise) {
          return result.then(
            (v) => (done(true), v),
            (e) => {
              done(false);
              throw e;
            },
          );
        }
        done(true);
        return result;
      };
    },
  });
}

/** Request counting by route pattern (never the raw URL: ids would explode the label set) and GET /metrics. */
export async function metricsRoutes(app: FastifyInstance, { metrics }: { metrics: Metrics }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.text();
  });
}

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
