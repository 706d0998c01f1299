/**
 * `serve --workers N`: N worker processes serve one port (node:cluster: the primary accepts and
 * hands connections to the workers in turn). Each worker is a whole server over the same store,
 * exactly like replicas behind a balancer: an HTTP episode may be stepped by any worker, which
 * catches up from the store's action log (SQLite in WAL mode is shared by the processes of one
 * machine; PostgreSQL by machines). WebSocket and MCP sessions stay on the worker of their
 * connection. MAX_CONCURRENT_ENVS applies per worker.
 *
 * The primary serves nothing itself: it forks the workers, restarts one that dies (a crash costs
 * only its in-flight requests; its HTTP episodes continue on the others), and on SIGTERM/SIGINT
 * stops them gracefully and exits. A worker that cannot start (bad store, port taken) stops the
 * whole server with the worker's exit code, its one-line message already on stderr.
 */
import cluster, { type Worker } from 'node:cluster';

export interface WorkerLog {
  info(msg: string): void;
  error(msg: string): void;
}

const stderrLog: WorkerLog = {
  info: (msg) => process.stderr.write(`${msg}\n`),
  error: (msg) => process.stderr.write(`${msg}\n`),
};

/** True in a process forked by `runPrimary` (it should run one server). */
export function isWorker(): boolean {
  return cluster.isWorker;
}

/** The id a worker adds to the replica id: `w1`, `w2`, … (stable across restarts of that slot). */
export function workerSlot(): string | null {
  return cluster.isWorker ? `w${process.env.DATASELECTENV_WORKER_SLOT ?? cluster.worker?.id ?? '?'}` : null;
}

/** Most restarts of crashed workers within RESTART_WINDOW_MS before the primary gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;
const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * Runs the primary: forks `count` workers (each re-runs this program with the same arguments),
 * waits until every one listens, and supervises them. Resolves when the primary should exit,
 * with the exit code.
 */
export function runPrimary(count: number, log: WorkerLog = stderrLog): Promise<number> {
  return new Promise((resolveExit) => {
    const slots = new Map<Worker, number>();
    const restarts: number[] = [];
    let listening = 0;
    let started = false;
    let stopping = false;
    let exitCode = 0;

    const fork = (slot: number) => {
      const worker = cluster.fork({ DATASELECTENV_WORKER_SLOT: String(slot) });
      slots.set(worker, slot);
      worker.once('listening', (address) => {
        listening++;
        if (!started && listening === count) {
          started = true;
          log.info(`dataselectenv: ${count} workers listening on ${address.address ?? '0.0.0.0'}:${address.port} (primary pid ${process.pid})`);
        }
      });
    };

    const stopAll = (code: number) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      const alive = [...slots.keys()].filter((w) => !w.isDead());
      if (alive.length === 0) return resolveExit(exitCode);
      const deadline = setTimeout(() => {
        for (const w of slots.keys()) if (!w.isDead()) w.process.kill('SIGKILL');
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      for (const w of alive) w.process.kill('SIGTERM');
    };

    cluster.on('exit', (worker, code, signal) => {
      const slot = slots.get(worker) ?? 0;
      slots.delete(worker);
      if (stopping) {
        if ([...slots.keys()].every((w) => w.isDead())) resolveExit(exitCode);
        return;
      }
      if (!started) {
        // A worker that cannot start (its message is on stderr) stops the whole server.
        stopAll(code ?? 1);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        log.error(`dataselectenv: workers keep dying (${restarts.length} restarts in ${RESTART_WINDOW_MS / 1000} s); stopping`);
        stopAll(1);
        return;
      }
      log.error(`dataselectenv: worker ${slot} (pid ${worker.process.pid}) died (${signal ?? `exit code ${code}`}); starting a new one`);
      fork(slot);
    });

    process.once('SIGTERM', () => stopAll(0));
    process.once('SIGINT', () => stopAll(0));
    for (let slot = 1; slot <= count; slot++) fork(slot);
  });
}
