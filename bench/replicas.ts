/**
 * Replicas on PostgreSQL (`--only=replicas`): the compose topology as local processes
 * (tools/local-cluster.ts: PostgreSQL with fsync on, N bundled servers, nginx in front), loopback
 * only, every loop bounded in time and count.
 *
 * - 256 concurrent HTTP clients through nginx (round-robin per request, so nearly every step
 *   reaches a replica whose copy is behind and catches up from the log) with 1, 2 and 3 replicas:
 *   steps/s, errors, mismatches against isolated in-process runs, and the CPU each component used
 *   during the window (replicas, nginx, PostgreSQL, the driver) — on 2 shared cores that says
 *   where the time goes.
 * - Fault: the same load on 3 replicas, one SIGKILLed a third of the way in. Clients retry a
 *   failed step with the same `step` number (the server answers a retry from the log), so the
 *   figures are: requests that failed in flight, steps left failed after retries (0), mismatches
 *   (0), and steps applied twice (0: every stored log is compared with what its client saw).
 * - The action log's cost per step on PostgreSQL, in process: append a step row (fsync on),
 *   and the catch-up read a shared store adds before each step.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BALANCED_ACTION } from '../src/env/baseline.ts';
import { DataSelectEnv } from '../src/env/env.ts';
import type { Action } from '../src/env/types.ts';
import { openPostgresStore } from '../src/server/store/postgres.ts';
import { clusterUnavailableReason, startLocalCluster, type LocalCluster } from '../tools/local-cluster.ts';
import { startPgCluster } from '../tools/pg-cluster.ts';
import { buildServerBundle, closedLoop, percentile, RawHttpClient, startServer, type Reply } from './load.ts';
import type { Figure } from '../tools/bench-report.ts';

const SECTION = 'replicas';
const CLIENTS = 256;
const TICKS_PER_S = 100;

/** utime + stime of a process, in seconds (0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** Direct children of `pid` (nginx workers, PostgreSQL backends). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

interface CpuSample {
  replicas: number;
  nginx: number;
  postgres: number;
  driver: number;
}

/** CPU seconds used so far by each component of the cluster (processes alive now). */
function sampleCpu(cluster: LocalCluster): CpuSample {
  const postmaster = Number(readFileSync(path.join(cluster.pg.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  const usage = process.cpuUsage();
  return {
    replicas: sum(cluster.replicas.map((r) => r.child?.pid ?? 0).filter((p) => p > 0)),
    nginx: sum([cluster.nginxPid, ...childrenOf(cluster.nginxPid)]),
    postgres: sum([postmaster, ...childrenOf(postmaster)]),
    driver: (usage.user + usage.system) / 1e6,
  };
}

function cpuNote(before: CpuSample, after: CpuSample, seconds: number): string {
  const share = (k: keyof CpuSample) => ((after[k] - before[k]) / seconds).toFixed(2);
  return `cores busy: replicas ${share('replicas')}, nginx ${share('nginx')}, PostgreSQL ${share('postgres')}, driver ${share('driver')}`;
}

async function scaling(quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 4 : 10;
  const figures: Figure[] = [];
  // Yardstick: one server on the embedded SQLite file, no balancer, the same driver.
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-bench-sqlite-'));
  const single = await startServer({ STORE_PATH: path.join(dir, 'episodes.sqlite'), MAX_CONCURRENT_ENVS: '512' });
  try {
    await closedLoop(single.url, 'http', 8, 1, 2000, 'easy');
    const s = await closedLoop(single.url, 'http', CLIENTS, seconds, 2_000_000, 'easy');
    figures.push({ section: SECTION, name: `1 server on SQLite (file), ${CLIENTS} HTTP clients direct: steps/s`, value: s.steps / s.elapsedS, unit: 'steps/s', better: 'higher', note: `${s.errors} errors, ${s.mismatches} mismatches` });
  } finally {
    await single.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const replicas of [1, 2, 3]) {
    const cluster = await startLocalCluster({ replicas, entry: 'bundle', durable: true, env: { MAX_CONCURRENT_ENVS: '512' } });
    try {
      // Warm-up: every replica builds its world and JIT-compiles the step before the window.
      await closedLoop(cluster.url, 'http', 8, 1, 2000, 'easy');
      const before = sampleCpu(cluster);
      const s = await closedLoop(cluster.url, 'http', CLIENTS, seconds, 2_000_000, 'easy');
      const after = sampleCpu(cluster);
      if (replicas === 1) {
        // The same replica without nginx: what the balancer costs.
        const d = await closedLoop(cluster.replicas[0]!.url, 'http', CLIENTS, seconds, 2_000_000, 'easy');
        figures.push({ section: SECTION, name: `1 replica on PostgreSQL, ${CLIENTS} HTTP clients direct: steps/s`, value: d.steps / d.elapsedS, unit: 'steps/s', better: 'higher', note: `${d.errors} errors, ${d.mismatches} mismatches` });
      }
      const label = `${replicas} replica${replicas > 1 ? 's' : ''}, ${CLIENTS} HTTP clients via nginx`;
      figures.push(
        { section: SECTION, name: `${label}: steps/s`, value: s.steps / s.elapsedS, unit: 'steps/s', better: 'higher', note: cpuNote(before, after, s.elapsedS) },
        { section: SECTION, name: `${label}: step p50 / p99`, value: percentile(s.latencies, 50), unit: 'ms', better: 'lower', note: `p99 ${percentile(s.latencies, 99).toFixed(1)} ms` },
        { section: SECTION, name: `${label}: errors`, value: s.errors, unit: '', better: 'lower', goalAbsolute: 0, note: `${s.steps} steps, ${s.episodes} episodes` },
        { section: SECTION, name: `${label}: mismatches`, value: s.mismatches, unit: '', better: 'lower', goalAbsolute: 0, note: 'vs isolated in-process runs' },
      );
    } finally {
      await cluster.stop();
    }
  }
  return figures;
}

const ACTIONS: Action[] = [
  BALANCED_ACTION,
  { action_type: 'select_batch', batch_size: 12, strategy_weights: { diversity: 0.7, random: 0.3 } },
  { action_type: 'select_batch', batch_size: 8, strategy_weights: { uncertainty: 0.5, random: 0.5 } },
];
/** The action a fault-test client sends at step t of the episode with this seed (varied, reproducible). */
const actionAt = (seed: number, t: number): Action => ACTIONS[(seed + t) % ACTIONS.length]!;

interface Observed {
  seed: number;
  episodeId: string;
  rewards: number[];
  done: boolean;
}

/** A closed-loop client that retries a failed request (same body, same `step` number) on a new connection. */
async function faultClient(url: string, id: number, until: number, counters: { inFlightFailures: number; failed: number }, out: Observed[]): Promise<void> {
  let conn: RawHttpClient | null = null;
  const send = async (method: string, p: string, body: unknown): Promise<Reply | null> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        conn ??= await RawHttpClient.connect(url);
        const r = await conn.request(method, p, body);
        // 502/504 from nginx: the replica died with the request; 503: a store or capacity refusal.
        if (r.status === 502 || r.status === 503 || r.status === 504) throw new Error(`status ${r.status}`);
        return r;
      } catch {
        counters.inFlightFailures++;
        conn?.close();
        conn = null;
        await new Promise((res) => setTimeout(res, 20 * (attempt + 1)));
      }
    }
    counters.failed++;
    return null;
  };
  let n = 0;
  try {
    while (Date.now() < until && n < 10_000) {
      const seed = 50_000 + id * 1000 + n++;
      const reset = await send('POST', '/reset', { task_id: 'hard', seed });
      if (!reset || reset.status !== 200) return;
      const o: Observed = { seed, episodeId: reset.body.episode_id, rewards: [], done: false };
      out.push(o);
      for (let t = 1; Date.now() < until; t++) {
        const r = await send('POST', '/step', { episode_id: o.episodeId, action: actionAt(seed, t), step: t });
        if (!r || r.status !== 200) {
          if (r) counters.failed++;
          return;
        }
        o.rewards.push(r.body.reward.value);
        if (r.body.done) {
          o.done = true;
          break;
        }
      }
    }
  } finally {
    (conn as RawHttpClient | null)?.close();
  }
}

async function fault(quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 6 : 15;
  const cluster = await startLocalCluster({ replicas: 3, entry: 'bundle', durable: true, env: { MAX_CONCURRENT_ENVS: '512' } });
  try {
    await closedLoop(cluster.url, 'http', 8, 1, 2000, 'easy');
    const counters = { inFlightFailures: 0, failed: 0 };
    const observed: Observed[] = [];
    const until = Date.now() + seconds * 1000;
    const killAt = setTimeout(() => void cluster.replicas[2]!.kill(), (seconds * 1000) / 3);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => faultClient(cluster.url, id, until, counters, observed)));
    clearTimeout(killAt);
    const elapsed = (performance.now() - t0) / 1000;
    await cluster.replicas[2]!.kill();

    // Yardstick: isolated in-process runs of the same (task, seed, actions).
    let mismatches = 0;
    let steps = 0;
    for (const o of observed) {
      const env = new DataSelectEnv();
      env.reset({ task: 'hard', seed: o.seed });
      o.rewards.forEach((reward, i) => {
        steps++;
        if (env.step(actionAt(o.seed, i + 1)).reward !== reward) mismatches++;
      });
    }
    // Applied twice: the store's log of every finished episode against what its client saw.
    let appliedTwice = 0;
    const survivor = cluster.replicas[0]!.url;
    const conn = await RawHttpClient.connect(survivor);
    const finished = observed.filter((o) => o.done);
    for (const o of finished) {
      const r = await conn.request('GET', `/episodes/${encodeURIComponent(o.episodeId)}`);
      const stored: number[] = (r.body.steps ?? []).map((s: { reward: number }) => s.reward);
      if (stored.length !== o.rewards.length || stored.some((x, i) => x !== o.rewards[i])) appliedTwice++;
    }
    conn.close();
    return [
      { section: SECTION, name: 'fault: SIGKILL 1 of 3 replicas mid-load, steps/s', value: steps / elapsed, unit: 'steps/s', better: 'higher', note: `${steps} steps, ${observed.length} episodes, ${CLIENTS} clients` },
      { section: SECTION, name: 'fault: requests failed in flight (retried)', value: counters.inFlightFailures, unit: '', better: 'lower', note: 'only requests on the killed replica may fail' },
      { section: SECTION, name: 'fault: steps still failed after retries', value: counters.failed, unit: '', better: 'lower', goalAbsolute: 0 },
      { section: SECTION, name: 'fault: mismatches', value: mismatches, unit: '', better: 'lower', goalAbsolute: 0, note: 'vs isolated in-process runs' },
      { section: SECTION, name: 'fault: finished episodes whose log differs (a step applied twice or lost)', value: appliedTwice, unit: '', better: 'lower', goalAbsolute: 0, note: `${finished.length} finished episodes checked` },
    ];
  } finally {
    await cluster.stop();
  }
}

/** The store's per-step cost on PostgreSQL (fsync on), in process, over one connection at a time. */
async function logCost(quick: boolean): Promise<Figure[]> {
  const pg = startPgCluster({ durable: true });
  const store = await openPostgresStore({ url: pg.url, retention: { maxCount: 0, maxAgeS: 0, unfinishedIdleS: 0 }, poolSize: 4 });
  try {
    const episodes = quick ? 100 : 300;
    const env = new DataSelectEnv();
    const records: Parameters<typeof store.appendStep>[1][] = [];
    env.reset({ task: 'easy', seed: 1 });
    for (let t = 1; t <= 10; t++) {
      const r = env.step(BALANCED_ACTION);
      records.push({ t, action: { ...BALANCED_ACTION, strategy_weights: { ...BALANCED_ACTION.strategy_weights } as Record<string, number> }, reward: r.reward, terms: r.terms, observation: r.observation, done: false });
    }
    let appendMs = 0;
    let readMs = 0;
    let appends = 0;
    let reads = 0;
    for (let e = 0; e < episodes; e++) {
      const id = `cost-${e}`;
      await store.createEpisode({ episode_id: id, task_id: 'easy', seed: 1, label: null, transport: 'http', created_ms: Date.now(), initial_observation: records[0]!.observation, owner_key: null });
      for (const rec of records) {
        let t0 = performance.now();
        await store.stepsAfter(id, rec.t - 1);
        readMs += performance.now() - t0;
        reads++;
        t0 = performance.now();
        await store.appendStep(id, rec, null);
        appendMs += performance.now() - t0;
        appends++;
      }
    }
    return [
      { section: SECTION, name: 'action log on PostgreSQL: append one step (fsync on)', value: appendMs / appends, unit: 'ms', better: 'lower', note: `${appends} appends, one at a time` },
      { section: SECTION, name: 'action log on PostgreSQL: catch-up read before a step', value: readMs / reads, unit: 'ms', better: 'lower', note: 'a shared store is read before each step (usually nothing new)' },
    ];
  } finally {
    await store.close();
    pg.stop();
  }
}

export async function replicaFigures(quick: boolean): Promise<Figure[]> {
  const reason = clusterUnavailableReason();
  if (reason) {
    process.stderr.write(`replicas: skipped (${reason})\n`);
    return [];
  }
  buildServerBundle();
  return [...(await logCost(quick)), ...(await scaling(quick)), ...(await fault(quick))];
}
