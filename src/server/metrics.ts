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

/** One labelled series of a `Tally` or a `FastHistogram`. */
interface Series {
  labels: Record<string, string>;
  /** Counts so far (Tally) / observations so far (FastHistogram). */
  count: number;
  /** Tally: the part of `count` already handed to prom-client. */
  shown: number;
  sum: number;
  /** FastHistogram: observations per bucket (not cumulative). */
  buckets: Float64Array | null;
}

/**
 * A prom-client Counter whose hot-path increments are plain additions on a cached series (keyed
 * by the caller's string): prom-client hashes the label object on every `inc`, which cost a few
 * µs per request. The counts are handed to the Counter when the registry is scraped (`collect`).
 */
export class Tally<L extends string> {
  private readonly series = new Map<string, Series>();
  readonly counter: client.Counter<L>;

  constructor(config: { name: string; help: string; labelNames: L[]; registers: client.Registry[] }) {
    const series = this.series;
    this.counter = new client.Counter({
      ...config,
      collect() {
        for (const s of series.values()) {
          if (s.count > s.shown) {
            this.inc(s.labels as Partial<Record<L, string>>, s.count - s.shown);
            s.shown = s.count;
          }
        }
      },
    });
  }

  /** Adds one to the series `key`, whose labels `labels()` gives the first time. */
  add(key: string, labels: () => Record<L, string>): void {
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: labels(), count: 0, shown: 0, sum: 0, buckets: null };
      this.series.set(key, s);
    }
    s.count++;
  }
}

/**
 * A histogram registered in a prom-client Registry (it implements the metric interface the
 * registry reads: name, help, type, get, reset) that observes into cached series of counts: no
 * label hashing or validation per observation. Its exposition text is prom-client's
 * (`_bucket{le=…,labels}` cumulative, `+Inf`, `_sum`, `_count`).
 */
export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: number[];
  private readonly series = new Map<string, Series>();

  constructor(config: { name: string; help: string; buckets: number[]; registers: client.Registry[] }) {
    this.name = config.name;
    this.help = config.help;
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    for (const r of config.registers) r.registerMetric(this as unknown as client.Metric);
  }

  observe(key: string, labels: () => Record<string, string>, value: number): void {
    if (!Number.isFinite(value)) return;
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: labels(), count: 0, shown: 0, sum: 0, buckets: new Float64Array(this.bounds.length) };
      this.series.set(key, s);
    }
    s.sum += value;
    s.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        s.buckets![i]!++;
        break;
      }
    }
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string }[] } {
    const values = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.buckets![i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels: s.labels, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}

export class Metrics {
  readonly registry = new client.Registry();
  private readonly requests: Tally<'method' | 'route' | 'status'>;
  private readonly latency: FastHistogram;
  private readonly steps: Tally<'transport'>;
  private readonly episodesFinished: client.Counter;
  private readonly storeWrites: FastHistogram;
  private readonly storeFailures: client.Counter;
  private readonly rejected: client.Counter<'reason'>;

  constructor(sources: MetricsSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Tally({
      name: 'dse_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new FastHistogram({
      name: 'dse_http_request_duration_seconds',
      help: 'Time from request to response, by method and route pattern.',
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
    this.steps = new Tally({ name: 'dse_steps_total', help: 'Accepted environment steps.', labelNames: ['transport'], registers });
    this.episodesFinished = new client.Counter({ name: 'dse_episodes_finished_total', help: 'Episodes finished and stored.', registers });
    this.storeWrites = new FastHistogram({
      name: 'dse_store_write_duration_seconds',
      help: 'Durable writes of finished episodes, by outcome.',
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
    const series = `${method} ${route}`;
    this.requests.add(`${series} ${status}`, () => ({ method, route, status: String(status) }));
    this.latency.observe(series, () => ({ method, route }), seconds);
  }

  step(transport: string): void {
    this.steps.add(transport, () => ({ transport }));
  }

  episodeFinished(): void {
    this.episodesFinished.inc();
  }

  /** The store hook: one durable write, its duration and whether it succeeded. */
  observeStoreWrite(seconds: number, ok: boolean): void {
    const outcome = ok ? 'ok' : 'failed';
    this.storeWrites.observe(outcome, () => ({ outcome }), seconds);
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
 * promises; every other member passes through (bound to the store). The wrapped and bound
 * functions are made once per member (and again only if the store's member is replaced), not on
 * every access: a step reaches the store two or three times.
 */
export function instrumentStore<S extends object>(store: S, metrics: Metrics): S {
  const made = new Map<string | symbol, { of: unknown; fn: unknown }>();
  const timed = (value: (...a: unknown[]) => unknown) => (...args: unknown[]) => {
    const started = performance.now();
    let result: unknown;
    try {
      result = value.apply(store, args);
    } catch (e) {
      metrics.observeStoreWrite((performance.now() - started) / 1000, false);
      throw e;
    }
    if (result instanceof Promise) {
      return result.then(
        (v) => {
          metrics.observeStoreWrite((performance.now() - started) / 1000, true);
          return v;
        },
        (e) => {
          metrics.observeStoreWrite((performance.now() - started) / 1000, false);
          throw e;
        },
      );
    }
    metrics.observeStoreWrite((performance.now() - started) / 1000, true);
    return result;
  };
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const known = made.get(key);
      if (known !== undefined && known.of === value) return known.fn;
      const fn = STORE_WRITES.has(key) ? timed(value as (...a: unknown[]) => unknown) : value.bind(target);
      made.set(key, { of: value, fn });
      return fn;
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
  // A callback hook: fastify runs an async one through a promise and an extra tick per request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
