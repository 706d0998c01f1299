/**
 * A small closed-loop load driver of our own, loopback only: every loop is bounded both in time
 * and in count, and stops by itself. HTTP goes through node:http with keep-alive agents; the
 * WebSocket through `ws`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BALANCED_ACTION } from '../src/env/baseline.ts';
import { HOST, WsClient, expectedEpisode, freePort, request, type Reply } from '../tools/loopback.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The loopback clients are shared with the tests (tools/loopback.ts); the load loops are here.
export { HOST, WsClient, expectedEpisode, freePort, request, type Reply } from '../tools/loopback.ts';

export interface RunningServer {
  url: string;
  port: number;
  child: ChildProcess;
  rssBytes(): number;
  stop(): Promise<void>;
}

let bundleBuilt = false;

/** Builds the bundled server `npm start` runs (once per bench run). */
export function buildServerBundle(): void {
  if (bundleBuilt) return;
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/rolldown/bin/cli.mjs'), 'src/server/main.ts', '--platform', 'node', '--format', 'esm', '--minify', '--charset', 'ascii', '-d', 'build/server', '--entry-file-names', 'server.mjs'], { cwd: REPO, stdio: 'ignore' });
  if (r.status !== 0) throw new Error('building the server bundle failed (npm run build:server)');
  bundleBuilt = true;
}

/**
 * Polls `ready` every 30 ms until it gives something (not false, not a throw) for the child
 * server `what`, and returns that; throws once the child has exited or `timeoutMs` has passed.
 */
async function awaitReady<T>(child: ChildProcess, what: string, ready: () => Promise<T | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await ready().catch(() => false as const);
    if (got !== false) return got;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Ends a child server: `signal`, then SIGKILL after 5 s; resolves when it has exited. */
function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/**
 * Starts the server `npm start` runs (the bundle, built first) in a child process on a free
 * loopback port and waits for /health. Quiet defaults for load (no console, errors only logged).
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  buildServerBundle();
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(REPO, 'build/server/server.mjs')], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST, STORE_PATH: ':memory:', WEB: '0', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://${HOST}:${port}`;
  await awaitReady(child, 'server', async () => (await request('GET', `${url}/health`)).status === 200 || false);
  return {
    url,
    port,
    child,
    rssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
      return kb * 1024;
    },
    stop: () => stopChild(child),
  };
}

/**
 * A lean HTTP/1.1 keep-alive client on one socket, one request at a time: it writes the request
 * bytes and reads exactly Content-Length bytes back. node:http's client costs more per request
 * than the server under test, so closed-loop figures would measure the driver instead.
 */
export class RawHttpClient {
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private readonly hostHeader: string;

  private constructor(socket: net.Socket, hostHeader: string) {
    this.socket = socket;
    this.hostHeader = hostHeader;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.tryParse();
    });
    const fail = (e: Error) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(url: string): Promise<RawHttpClient> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(u.port), u.hostname, () => resolve(new RawHttpClient(socket, u.host)));
      socket.once('error', reject);
    });
  }

  private tryParse(): void {
    if (!this.pending) return;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const m = /content-length:\s*(\d+)/i.exec(head);
    if (!m) {
      this.pending.reject(new Error('response without content-length'));
      this.pending = null;
      return;
    }
    const length = Number(m[1]);
    if (this.buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const text = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const p = this.pending;
    this.pending = null;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    p.resolve({ status, body });
  }

  request(method: string, path: string, body?: unknown): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.pending) throw new Error('one request at a time');
      this.pending = { resolve, reject };
      const data = body === undefined ? '' : JSON.stringify(body);
      const head =
        `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n` +
        (data ? `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(data)}\r\n` : '') +
        '\r\n';
      this.socket.write(head + data);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface LoopStats {
  /** (task, seed, step index, reward, performance) of every step, checked after the timed window. */
  observed: { seed: number; t: number; reward: number; performance: number }[];
  steps: number;
  requests: number;
  errors: number;
  mismatches: number;
  episodes: number;
  latencies: number[];
  elapsedS: number;
  /** What the first failed request got back (status or frame type, reason), for the report. */
  firstError?: string;
}

function newStats(): LoopStats {
  return { observed: [], steps: 0, requests: 0, errors: 0, mismatches: 0, episodes: 0, latencies: [], elapsedS: 0 };
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** One HTTP client (its own keep-alive connection): reset, then balanced steps naming its episode until done, again and again. */
async function httpClient(url: string, id: number, until: number, maxSteps: number, stats: LoopStats, task: string): Promise<void> {
  let conn: RawHttpClient;
  try {
    conn = await RawHttpClient.connect(url);
  } catch {
    stats.errors++;
    return;
  }
  let seedCounter = 0;
  try {
    while (Date.now() < until && stats.steps < maxSteps) {
      const seed = id * 1000 + seedCounter++;
      const reset = await conn.request('POST', '/reset', { task_id: task, seed }).catch(() => null);
      stats.requests++;
      if (!reset || reset.status !== 200) {
        stats.errors++;
        stats.firstError ??= reset ? `HTTP ${reset.status} ${reset.body?.reason ?? ''}` : 'connection failed';
        return;
      }
      const episodeId = reset.body.episode_id;
      for (let t = 0; ; t++) {
        const t0 = performance.now();
        const r = await conn.request('POST', '/step', { episode_id: episodeId, action: BALANCED_ACTION }).catch(() => null);
        stats.latencies.push(performance.now() - t0);
        stats.requests++;
        if (!r || r.status !== 200) {
          stats.errors++;
          stats.firstError ??= r ? `HTTP ${r.status} ${r.body?.reason ?? ''}` : 'connection failed';
          return;
        }
        stats.steps++;
        stats.observed.push({ seed, t, reward: r.body.reward.value, performance: r.body.observation.current_performance });
        if (r.body.done) {
          stats.episodes++;
          break;
        }
        if (Date.now() >= until || stats.steps >= maxSteps) break;
      }
    }
  } finally {
    conn.close();
  }
}

/** One WebSocket client: its own connection, episodes back to back. */
async function wsClient(url: string, id: number, until: number, maxSteps: number, stats: LoopStats, task: string): Promise<void> {
  let ws: WsClient;
  try {
    ws = await WsClient.open(url);
  } catch (e) {
    stats.errors++;
    stats.firstError ??= `WS open failed: ${(e as Error).message}`;
    return;
  }
  let seedCounter = 0;
  while (Date.now() < until && stats.steps < maxSteps && !ws.closed) {
    const seed = id * 1000 + seedCounter++;
    const reset = await ws.send({ type: 'reset', data: { task_id: task, seed } });
    stats.requests++;
    if (reset.type !== 'observation') {
      stats.errors++;
      stats.firstError ??= `WS ${reset.type} ${reset.data?.reason ?? ''}`;
      break;
    }
    for (let t = 0; ; t++) {
      const t0 = performance.now();
      const r = await ws.send({ type: 'step', data: BALANCED_ACTION });
      stats.latencies.push(performance.now() - t0);
      stats.requests++;
      if (r.type !== 'observation') {
        stats.errors++;
        stats.firstError ??= `WS ${r.type} ${r.data?.reason ?? ''}`;
        break;
      }
      stats.steps++;
      stats.observed.push({ seed, t, reward: r.data.reward, performance: r.data.observation.current_performance });
      if (r.data.done) {
        stats.episodes++;
        break;
      }
      if (Date.now() >= until || stats.steps >= maxSteps) break;
    }
  }
  ws.close();
}

/** N concurrent closed-loop clients over HTTP or WS for `seconds` (and at most `maxSteps` steps). */
export async function closedLoop(
  url: string,
  transport: 'http' | 'ws',
  clients: number,
  seconds: number,
  maxSteps = 1_000_000,
  task = 'easy',
): Promise<LoopStats> {
  const stats = newStats();
  const start = performance.now();
  const until = Date.now() + seconds * 1000;
  const run = transport === 'http' ? httpClient : wsClient;
  await Promise.all(Array.from({ length: clients }, (_, id) => run(url, id, until, maxSteps, stats, task)));
  stats.elapsedS = (performance.now() - start) / 1000;
  stats.latencies.sort((a, b) => a - b);
  // The yardstick: each episode run alone in process, computed after the timed window.
  for (const o of stats.observed) {
    const e = expectedEpisode(task, o.seed);
    if (!same(o.reward, e.rewards[o.t]) || !same(o.performance, e.performances[o.t])) stats.mismatches++;
  }
  return stats;
}

/** GET `url` over `inFlight` keep-alive connections, each one request at a time, for `seconds`. */
export async function hammer(url: string, inFlight: number, seconds: number, maxRequests = 2_000_000): Promise<{ rps: number; errors: number; requests: number }> {
  let requests = 0;
  let errors = 0;
  const path = new URL(url).pathname;
  const until = Date.now() + seconds * 1000;
  const conns = await Promise.all(Array.from({ length: inFlight }, () => RawHttpClient.connect(url)));
  const start = performance.now();
  await Promise.all(
    conns.map(async (conn) => {
      while (Date.now() < until && requests < maxRequests) {
        const r = await conn.request('GET', path).catch(() => null);
        requests++;
        if (!r || r.status !== 200) {
          errors++;
          return;
        }
      }
    }),
  );
  const rps = requests / ((performance.now() - start) / 1000);
  for (const c of conns) c.close();
  return { rps, errors, requests };
}

/**
 * bench/bare-server.ts in a child process: the environment's work behind bare node:http and
 * `ws` (no validation, store, sessions, metrics or framework) — the bound of the 1-client loop.
 */
export async function startBareServer(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(REPO, 'bench/bare-server.ts'), String(port), HOST], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://${HOST}:${port}`;
  (await awaitReady(child, 'bare server', () => RawHttpClient.connect(url))).close();
  return { url, pid: child.pid!, stop: () => stopChild(child, 'SIGKILL') };
}

/**
 * CPU time a process's main thread has run, in seconds (Linux /proc/PID/schedstat, nanoseconds),
 * or null where there is no /proc. Unlike a loop's wall time it does not count the waits on the
 * loopback, so it compares two servers' work per step even on a machine whose round trip moves.
 */
export function mainThreadCpuS(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}

/**
 * A trivial JSON server in a child process: what this driver can reach on this machine at all
 * (driver and server share the same two cores), to read the /health figure against.
 */
export async function startCeilingServer(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const code = `const b=JSON.stringify({status:'healthy'});require('node:http').createServer((q,r)=>{r.writeHead(200,{'content-type':'application/json','content-length':b.length});r.end(b)}).listen(${port},'${HOST}')`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  const url = `http://${HOST}:${port}/health`;
  await awaitReady(child, 'ceiling server', async () => (await request('GET', url)).status === 200 || false, 10_000);
  return { url, stop: () => child.kill('SIGKILL') };
}

/**
 * A trivial echo server in a child process (HTTP answers a tiny JSON, WebSocket echoes the
 * frame): the round trips per second the driver and the loopback reach with no work at all —
 * the ceiling a closed loop with one client can approach.
 */
export async function echoCeiling(seconds: number): Promise<{ httpRtPerS: number; wsRtPerS: number }> {
  const port = await freePort();
  const code = `const {WebSocketServer}=require('ws');const s=require('node:http').createServer((q,r)=>{q.resume();q.on('end',()=>{const o='{"ok":1}';r.writeHead(200,{'content-type':'application/json','content-length':o.length});r.end(o)})});new WebSocketServer({server:s}).on('connection',c=>c.on('message',m=>c.send(m)));s.listen(${port},'${HOST}')`;
  const child = spawn(process.execPath, ['-e', code], { cwd: REPO, stdio: 'ignore' });
  try {
    const url = `http://${HOST}:${port}`;
    const http = await awaitReady(child, 'echo server', () => RawHttpClient.connect(url), 10_000);
    const body = { episode_id: 'x', action: BALANCED_ACTION };
    let n = 0;
    let t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000 && n < 1_000_000) {
      await http.request('POST', '/step', body);
      n++;
    }
    const httpRtPerS = n / ((performance.now() - t0) / 1000);
    http.close();
    const ws = await WsClient.open(url);
    n = 0;
    t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000 && n < 1_000_000) {
      await ws.send({ type: 'step', data: BALANCED_ACTION });
      n++;
    }
    const wsRtPerS = n / ((performance.now() - t0) / 1000);
    ws.close();
    return { httpRtPerS, wsRtPerS };
  } finally {
    child.kill('SIGKILL');
  }
}
