/**
 * The docker-compose topology (deploy/docker-compose.yml) as local processes: one PostgreSQL
 * (tools/pg-cluster.ts), N server replicas sharing its STORE_URL, and Debian's nginx running
 * deploy/nginx/nginx.conf — the very file compose mounts — in front, all on loopback ports.
 * Used by the replica tests, the benchmark and deploy/local-cluster.sh.
 *
 * As a command: `node tools/local-cluster.ts start [--replicas N] [--dir DIR]` starts everything,
 * prints `{"url", "dir", …}` and leaves it running; `node tools/local-cluster.ts stop DIR` stops
 * it (replicas, nginx, PostgreSQL) and removes DIR.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClusterCommand } from './cluster-command.ts';
import { findPgBin, freePort, freePortSync, startPgCluster, stopPgClusterDir, type PgCluster } from './pg-cluster.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
export const NGINX_CONF = path.join(REPO, 'deploy', 'nginx', 'nginx.conf');

/** nginx from PATH or Debian's /usr/sbin, or null. */
export function findNginx(): string | null {
  if (process.env.NGINX_BIN) return existsSync(process.env.NGINX_BIN) ? process.env.NGINX_BIN : null;
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx']) if (existsSync(candidate)) return candidate;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** Why the local cluster cannot run here, or null. In CI a missing package is an error, not a skip. */
export function clusterUnavailableReason(): string | null {
  const missing: string[] = [];
  if (findNginx() === null) missing.push('nginx');
  if (findPgBin() === null) missing.push('postgresql');
  if (missing.length === 0) return null;
  const reason = `${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')})`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run the multi-replica tests`);
  return reason;
}

export interface Replica {
  readonly id: string;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess | null;
  /** True while the process runs. */
  readonly running: boolean;
  /** SIGKILL, no shutdown: what a crash does. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after kill/stop). */
  start(): Promise<void>;
}

export interface LocalCluster {
  /** The balancer: what clients use. */
  readonly url: string;
  readonly dir: string;
  readonly storeUrl: string;
  readonly pg: PgCluster;
  readonly replicas: Replica[];
  readonly nginxPid: number;
  stop(): Promise<void>;
}

export interface LocalClusterOptions {
  replicas?: number;
  /** `sources` runs src/cli/main.ts (tests); `bundle` runs build/server/server.mjs, what `npm start` runs (bench). */
  entry?: 'sources' | 'bundle';
  /** Extra environment for every replica. */
  env?: Record<string, string>;
  /** PostgreSQL with fsync on (bench) or off (tests, default). */
  durable?: boolean;
  dir?: string;
  /** Where replica stderr goes: a log file in the cluster directory (default) or this process's stderr. */
  inheritStderr?: boolean;
  /** Leave everything running when this process exits (the command form). */
  detached?: boolean;
}

async function waitHealthy(url: string, child: ChildProcess | null, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    if (child && child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode} before answering /health`);
    if (Date.now() > deadline) throw new Error(`${url}: no healthy /health within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function makeReplica(index: number, port: number, storeUrl: string, options: LocalClusterOptions, dir: string): Replica {
  const id = `replica-${index + 1}`;
  const url = `http://${HOST}:${port}`;
  let child: ChildProcess | null = null;
  const args = options.entry === 'bundle' ? [path.join(REPO, 'build/server/server.mjs')] : ['--no-warnings', path.join(REPO, 'src/cli/main.ts'), 'serve'];
  const replica: Replica = {
    id,
    port,
    url,
    get child() {
      return child;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (replica.running) return;
      const stderr = options.inheritStderr ? 'inherit' : openSync(path.join(dir, `${id}.log`), 'a');
      child = spawn(process.execPath, args, {
        cwd: REPO,
        env: {
          ...process.env,
          PORT: String(port),
          HOST,
          STORE_URL: storeUrl,
          REPLICA_ID: id,
          WEB: '0',
          LOG_LEVEL: 'warn',
          ...options.env,
        },
        stdio: ['ignore', 'ignore', stderr],
        detached: options.detached ?? false,
      });
      writeFileSync(path.join(dir, `${id}.pid`), String(child.pid));
      await waitHealthy(url, child);
    },
    async kill() {
      if (!child || !replica.running) return;
      const c = child;
      c.kill('SIGKILL');
      await exited(c);
    },
    async stop() {
      if (!child || !replica.running) return;
      const c = child;
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited(c);
      clearTimeout(timer);
    },
  };
  return replica;
}

/** Writes the per-deployment address files beside a copy of deploy/nginx/nginx.conf and starts nginx. */
function startNginx(dir: string, listenPort: number, replicaPorts: number[]): number {
  const nginx = findNginx();
  if (!nginx) throw new Error('nginx is not installed (apt-get install nginx, or set NGINX_BIN)');
  const prefix = path.join(dir, 'nginx');
  mkdirSync(prefix, { recursive: true });
  // Workers may run as an unprivileged user when started as root: they must reach the prefix.
  chmodSync(dir, 0o755);
  chmodSync(prefix, 0o755);
  copyFileSync(NGINX_CONF, path.join(prefix, 'nginx.conf'));
  writeFileSync(
    path.join(prefix, 'upstream.conf'),
    replicaPorts.map((p) => `server ${HOST}:${p} max_fails=1 fail_timeout=5s;\n`).join(''),
  );
  writeFileSync(path.join(prefix, 'listen.conf'), `listen ${HOST}:${listenPort};\n`);
  // The daemon keeps the stderr it was given (error_log stderr): a file, never a pipe spawnSync would wait on.
  const logFile = path.join(dir, 'nginx.log');
  const logFd = openSync(logFile, 'a');
  const r = spawnSync(nginx, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: ['ignore', logFd, logFd], timeout: 30_000 });
  closeSync(logFd);
  if (r.status !== 0) throw new Error(`nginx failed to start: ${readFileSync(logFile, 'utf8').trim().slice(0, 1000)}`);
  const pidFile = path.join(prefix, 'nginx.pid');
  const deadline = Date.now() + 5000;
  while (!existsSync(pidFile) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
  return Number(readFileSync(pidFile, 'utf8').trim());
}

function stopNginx(dir: string): void {
  const prefix = path.join(dir, 'nginx');
  const nginx = findNginx();
  if (!nginx || !existsSync(path.join(prefix, 'nginx.pid'))) return;
  spawnSync(nginx, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-s', 'stop'], { stdio: 'ignore', timeout: 15_000 });
  const deadline = Date.now() + 10_000;
  while (existsSync(path.join(prefix, 'nginx.pid')) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to the pid in `file`, then waits (10 s at most) for it to exit. */
function stopPidFile(file: string): void {
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const count = options.replicas ?? 3;
  if (options.entry === 'bundle' && !existsSync(path.join(REPO, 'build/server/server.mjs'))) {
    throw new Error('build/server/server.mjs is missing: run npm run build:server first');
  }
  const dir = options.dir ? path.resolve(options.dir) : mkdtempSync(path.join(tmpdir(), 'dataselectenv-cluster-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const pg = startPgCluster({ dir: path.join(dir, 'pg'), durable: options.durable, detached: options.detached });
  const replicas: Replica[] = [];
  let nginxStarted = false;
  const stop = async (): Promise<void> => {
    await Promise.all(replicas.map((r) => r.stop()));
    if (nginxStarted) stopNginx(dir);
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) replicas.push(makeReplica(i, await freePort(), pg.url, options, dir));
    // Together, as compose starts them: the migrations run once under the store's advisory lock.
    await Promise.all(replicas.map((r) => r.start()));
    const listenPort = freePortSync();
    const nginxPid = startNginx(dir, listenPort, replicas.map((r) => r.port));
    nginxStarted = true;
    const url = `http://${HOST}:${listenPort}`;
    await waitHealthy(url, null);
    return { url, dir, storeUrl: pg.url, pg, replicas, nginxPid, stop };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** Stops what `start` (command form) left running in `dir`, and removes it. */
export function stopLocalClusterDir(dir: string): void {
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (/^replica-\d+\.pid$/.test(name)) stopPidFile(path.join(dir, name));
  }
  stopNginx(dir);
  stopPgClusterDir(path.join(dir, 'pg'));
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.main) {
  await runClusterCommand('local-cluster', 'node tools/local-cluster.ts start [--replicas N] [--dir DIR] [--bundle] | stop DIR', {
    start: async (args) => {
      const flag = (name: string) => {
        const i = args.indexOf(name);
        return i >= 0 ? args[i + 1] : undefined;
      };
      const replicas = Number(flag('--replicas') ?? 3);
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) throw new Error('--replicas must be an integer from 1 to 16');
      const c = await startLocalCluster({ replicas, dir: flag('--dir'), entry: args.includes('--bundle') ? 'bundle' : 'sources', detached: true });
      // Leave it running: detach from the children so this command can exit.
      for (const r of c.replicas) r.child?.unref();
      return { url: c.url, dir: c.dir, store_url: c.storeUrl, replicas: c.replicas.map((r) => ({ id: r.id, url: r.url, pid: r.child?.pid })), nginx_pid: c.nginxPid };
    },
    stop: stopLocalClusterDir,
  });
}
