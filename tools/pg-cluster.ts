/**
 * A throw-away PostgreSQL cluster for tests, the benchmark and deploy/local-cluster.sh: `initdb`
 * into a temporary directory, the server on 127.0.0.1 with a free port (its socket in the same
 * directory), stopped and removed afterwards. It uses the Debian packages (`postgresql`), found
 * through `PG_BIN`, `/usr/lib/postgresql/<newest>/bin` or `pg_config --bindir`.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: there every command runs as the
 * `postgres` system user (`PG_RUN_AS` to choose another) through `runuser`, and the directory is
 * handed to that user. As any other user the binaries run directly.
 *
 * As a command: `node tools/pg-cluster.ts start [DIR]` prints `{"url", "dir", "port"}` and leaves
 * the cluster running; `node tools/pg-cluster.ts stop DIR` stops it and removes DIR.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runClusterCommand } from './cluster-command.ts';

export interface PgCluster {
  /** `postgres://USER@127.0.0.1:PORT/DB` (trust authentication on the loopback only). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server, keeping the data (to test an unreachable store); `start()` brings it back on the same port. */
  pause(): void;
  start(): void;
  /** Stops the server and removes the directory (idempotent). */
  stop(): void;
}

export interface PgClusterOptions {
  /** Durable commits (fsync on). Tests turn it off for speed; the benchmark keeps it on to measure real costs. */
  durable?: boolean;
  /** Parent of the cluster directory (default: the system temp dir). */
  parent?: string;
  /** Use this directory (created when absent) instead of a new temporary one. */
  dir?: string;
  maxConnections?: number;
  /** Leave the server running when this process exits (command forms); otherwise it is stopped at exit. */
  detached?: boolean;
}

const USER = 'dse';
const DB = 'dataselectenv';

/** The directory holding initdb/pg_ctl/postgres, or null when PostgreSQL is not installed. */
export function findPgBin(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return existsSync(path.join(fromEnv, 'pg_ctl')) ? fromEnv : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v) && existsSync(path.join(debian, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(path.join(dir, 'pg_ctl')) ? dir : null;
}

/**
 * Why PostgreSQL tests cannot run here, or null when they can. In CI (`CI=true`) a missing
 * PostgreSQL is an error, never a skip: .ci/run installs it.
 */
export function pgUnavailableReason(): string | null {
  if (findPgBin() !== null) return null;
  const reason = 'PostgreSQL is not installed (apt-get install postgresql, or set PG_BIN)';
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run the PostgreSQL tests`);
  return reason;
}

/** A TCP port free on the loopback right now. */
export function freePortSync(): number {
  // Synchronous so the command form and constructors can use it; a child asks the kernel.
  const out = execFileSync(
    process.execPath,
    ['-e', "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function runAs(): { user: string; uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const user = process.env.PG_RUN_AS ?? 'postgres';
  const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error(`running as root and there is no '${user}' user for PostgreSQL (set PG_RUN_AS)`);
  return { user, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function runPg(bin: string, tool: string, args: string[], as: ReturnType<typeof runAs>): void {
  const exe = path.join(bin, tool);
  const [cmd, argv] = as ? ['runuser', ['-u', as.user, '--', exe, ...args]] : [exe, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: tmpdir(), timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`${tool} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(0, 2000)}`);
  }
}

const live = new Set<PgCluster>();
let exitHookInstalled = false;
function stopAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that throws must not leave a server behind.
  process.once('exit', () => {
    for (const c of [...live]) {
      try {
        c.stop();
      } catch {
        // best effort at exit
      }
    }
  });
}

/** Initialises and starts a cluster (about 1.5 s), with database `dataselectenv` owned by user `dse`. */
export function startPgCluster(options: PgClusterOptions = {}): PgCluster {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql, or set PG_BIN)');
  const as = runAs();
  let dir: string;
  if (options.dir) {
    dir = path.resolve(options.dir);
    mkdirSync(dir, { recursive: true });
  } else {
    dir = mkdtempSync(path.join(options.parent ?? tmpdir(), 'dataselectenv-pg-'));
  }
  if (as) chownSync(dir, as.uid, as.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  let port = 0;
  let running = false;
  let removed = false;

  const settings = (): string =>
    [
      '-h 127.0.0.1',
      `-p ${port}`,
      `-k ${dir}`,
      `-c max_connections=${options.maxConnections ?? 200}`,
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');

  const start = (): void => {
    if (running) return;
    runPg(bin, 'pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings(), 'start'], as);
    running = true;
  };
  const pause = (): void => {
    if (!running) return;
    runPg(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], as);
    running = false;
  };

  const cluster: PgCluster = {
    get url() {
      return `postgres://${USER}@127.0.0.1:${port}/${DB}`;
    },
    get port() {
      return port;
    },
    dir,
    pause,
    start,
    stop() {
      if (removed) return;
      try {
        pause();
      } finally {
        removed = true;
        live.delete(cluster);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };

  try {
    runPg(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--no-sync', '--no-instructions'], as);
    // A port taken between the probe and the start makes pg_ctl fail: try a few.
    for (let attempt = 0; ; attempt++) {
      port = freePortSync();
      try {
        start();
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    runPg(bin, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, DB], as);
  } catch (e) {
    try {
      pause();
    } catch {
      // already down
    }
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  if (!options.detached) {
    live.add(cluster);
    stopAllOnExit();
  }
  return cluster;
}

/** Stops a cluster left running by `start` (command form) and removes its directory. */
export function stopPgClusterDir(dir: string): void {
  const bin = findPgBin();
  const data = path.join(dir, 'data');
  if (bin && existsSync(path.join(data, 'postmaster.pid'))) {
    runPg(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], runAs());
  }
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.main) {
  await runClusterCommand('pg-cluster', 'node tools/pg-cluster.ts start [DIR] | stop DIR', {
    start: ([dir]) => {
      const c = startPgCluster({ dir, durable: process.env.PG_DURABLE === '1', detached: true });
      return { url: c.url, dir: c.dir, port: c.port };
    },
    stop: stopPgClusterDir,
  });
}
