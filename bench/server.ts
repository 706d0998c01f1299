/**
 * Server figures against the original (measured on this class of machine): HTTP closed loop
 * ≈ 210 steps/s (step p50 4.0 ms), WebSocket ≈ 280 steps/s, GET /health ≈ 3,500 req/s, idle RSS
 * 119 MB; with two concurrent HTTP clients only ~26 of ~84 steps/s were consistent, and with 16 or
 * more none. Every server here is a child process on a loopback port.
 */
import { closedLoop, echoCeiling, hammer, mainThreadCpuS, percentile, startBareServer, startCeilingServer, startServer, WsClient, type LoopStats } from './load.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Figure } from '../tools/bench-report.ts';
import { fuzzFigures } from './fuzz.ts';
import { soakFigures } from './soak.ts';

export const ORIGINAL = Object.freeze({
  httpStepsPerS: 210,
  httpStepP50Ms: 4.0,
  wsStepsPerS: 280,
  healthRps: 3500,
  idleRssMb: 119,
});

function loopFigures(section: string, label: string, s: LoopStats, original?: number, goalRatio?: number): Figure[] {
  const rate = s.steps / s.elapsedS;
  return [
    { section, name: `${label} steps/s`, value: rate, unit: 'steps/s', original, better: 'higher', goalRatio, note: `${s.steps} steps, ${s.episodes} episodes` },
    { section, name: `${label} step p50`, value: percentile(s.latencies, 50), unit: 'ms', better: 'lower' },
    { section, name: `${label} step p99`, value: percentile(s.latencies, 99), unit: 'ms', better: 'lower' },
    { section, name: `${label} errors`, value: s.errors, unit: '', better: 'lower', goalAbsolute: 0, note: s.firstError ? `first: ${s.firstError}` : undefined },
    { section, name: `${label} mismatches`, value: s.mismatches, unit: '', better: 'lower', goalAbsolute: 0, note: 'vs isolated in-process runs' },
  ];
}

/** The curation task of the closed-loop figures (issue 16 item 5). */
const CURATION_TASK = 'curation-easy';

/** One loop's counts over several timed windows (rounds interleaved with another server's). */
function mergeStats(parts: LoopStats[]): LoopStats {
  const all = parts.reduce((a, b) => ({
    ...a,
    steps: a.steps + b.steps,
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    mismatches: a.mismatches + b.mismatches,
    episodes: a.episodes + b.episodes,
    elapsedS: a.elapsedS + b.elapsedS,
    latencies: a.latencies.concat(b.latencies),
    firstError: a.firstError ?? b.firstError,
  }));
  all.latencies.sort((a, b) => a - b);
  return all;
}

async function httpWs(quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 3 : 10;
  const srv = await startServer();
  const bare = await startBareServer();
  try {
    // This server and the bare one (bench/bare-server.ts: the same environment work, nothing
    // else) in alternating rounds, so that both meet the same host state: their ratio is the
    // share of the loop this server's own code leaves, which the absolute figures do not show on
    // a machine whose loopback round trip moves several-fold from one minute to the next.
    const rounds = quick ? 1 : 2;
    const runs: Record<string, LoopStats[]> = {};
    const cpuS: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      for (const transport of ['http', 'ws'] as const) {
        for (const [who, url, pid] of [['server', srv.url, srv.child.pid!], ['bare', bare.url, bare.pid]] as const) {
          const cpu0 = mainThreadCpuS(pid);
          (runs[`${transport} ${who}`] ??= []).push(await closedLoop(url, transport, 1, seconds / rounds));
          const cpu1 = mainThreadCpuS(pid);
          if (cpu0 !== null && cpu1 !== null) cpuS[`${transport} ${who}`] = (cpuS[`${transport} ${who}`] ?? 0) + cpu1 - cpu0;
        }
      }
    }
    const h = mergeStats(runs['http server']);
    const w = mergeStats(runs['ws server']);
    const figures = loopFigures('http', 'HTTP 1 client', h, ORIGINAL.httpStepsPerS, 15);
    figures.find((f) => f.name.endsWith('p50'))!.original = ORIGINAL.httpStepP50Ms;
    figures.push(...loopFigures('ws', 'WS 1 client', w, ORIGINAL.wsStepsPerS, 15));
    for (const transport of ['http', 'ws'] as const) {
      const label = transport === 'http' ? 'HTTP' : 'WS';
      const ours = transport === 'http' ? h : w;
      const b = mergeStats(runs[`${transport} bare`]);
      const rate = (s: LoopStats) => s.steps / s.elapsedS;
      figures.push(
        ...loopFigures(transport, `${label} 1 client, bare environment server`, b).filter((x) => !x.name.endsWith('p99')),
        { section: transport, name: `${label} 1 client, this server / bare`, value: rate(ours) / rate(b), unit: '×', better: 'higher', note: 'rounds interleaved; 1 = no cost beyond the environment and the round trip' },
      );
      // Server CPU per step (its reset share included): the work, without the waits.
      for (const [who, stats] of [['server', ours], ['bare', b]] as const) {
        const cpu = cpuS[`${transport} ${who}`];
        if (cpu === undefined) continue;
        figures.push({ section: transport, name: `${label} 1 client, ${who === 'server' ? 'this' : 'bare'} server's CPU per step`, value: (cpu / stats.steps) * 1e6, unit: 'µs', better: 'lower', note: 'main thread, /proc schedstat' });
      }
    }
    // The same loop on the default kind of store, a SQLite file (every step one WAL append).
    const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-bench-http-'));
    const onFile = await startServer({ STORE_PATH: path.join(dir, 'episodes.sqlite') });
    try {
      const f = await closedLoop(onFile.url, 'http', 1, seconds);
      figures.push(...loopFigures('http', 'HTTP 1 client, SQLite file store', f).filter((x) => !x.name.endsWith('p99')));
    } finally {
      await onFile.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    // A curation task (its step refits a model: heavier than a classic one), same loop, same server.
    for (const transport of ['http', 'ws'] as const) {
      const c = await closedLoop(srv.url, transport, 1, seconds, 1_000_000, CURATION_TASK);
      figures.push(...loopFigures(transport, `${transport === 'http' ? 'HTTP' : 'WS'} 1 client, ${CURATION_TASK}`, c).filter((x) => !x.name.endsWith('p99')));
    }
    const ceiling = await echoCeiling(quick ? 2 : 5);
    figures.push(
      { section: 'http', name: 'HTTP round-trip ceiling (echo server)', value: ceiling.httpRtPerS, unit: 'rt/s', better: 'higher', note: 'same driver, no work: bounds the 1-client loop' },
      { section: 'ws', name: 'WS round-trip ceiling (echo server)', value: ceiling.wsRtPerS, unit: 'rt/s', better: 'higher', note: 'same driver, no work: bounds the 1-client loop' },
    );
    return figures;
  } finally {
    await bare.stop();
    await srv.stop();
  }
}

async function concurrency(quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 4 : 10;
  const srv = await startServer({ MAX_CONCURRENT_ENVS: '512', MAX_SESSIONS_PER_CLIENT: '512' });
  const figures: Figure[] = [];
  try {
    for (const n of [16, 256]) {
      for (const transport of ['http', 'ws'] as const) {
        const s = await closedLoop(srv.url, transport, n, seconds);
        figures.push(...loopFigures('concurrency', `${transport.toUpperCase()} ${n} clients`, s).filter((f) => !f.name.endsWith('p50')));
      }
    }
  } finally {
    await srv.stop();
  }
  return figures;
}

async function health(quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 3 : 8;
  const srv = await startServer();
  const ceiling = await startCeilingServer();
  try {
    const h = await hammer(`${srv.url}/health`, 32, seconds);
    const c = await hammer(ceiling.url, 32, seconds);
    return [
      { section: 'health', name: 'GET /health', value: h.rps, unit: 'req/s', original: ORIGINAL.healthRps, better: 'higher', goalRatio: 3, note: `${h.requests} requests, ${h.errors} errors, 32 in flight` },
      { section: 'health', name: 'driver ceiling (bare node:http)', value: c.rps, unit: 'req/s', better: 'higher', note: 'same driver, trivial server, same 2 cores' },
    ];
  } finally {
    ceiling.stop();
    await srv.stop();
  }
}

async function memory(quick: boolean): Promise<Figure[]> {
  const sessions = 1000;
  // The default configuration (console on, info logging), as `npm start` runs it.
  const srv = await startServer({ MAX_CONCURRENT_ENVS: String(sessions), MAX_SESSIONS_PER_CLIENT: String(sessions), WEB: '1', LOG_LEVEL: 'info' });
  const clients: WsClient[] = [];
  let errors = 0;
  try {
    await new Promise((r) => setTimeout(r, quick ? 500 : 1500));
    const idle = srv.rssBytes();
    // One reset so the shared world (data set, warm model) is built before the per-session count.
    const warm = await WsClient.open(srv.url);
    await warm.send({ type: 'reset', data: { task_id: 'easy', seed: 0 } });
    warm.close();
    await new Promise((r) => setTimeout(r, 300));
    const base = srv.rssBytes();
    for (let i = 0; i < sessions; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, sessions - i) }, async (_, k) => {
          const c = await WsClient.open(srv.url);
          const r = await c.send({ type: 'reset', data: { task_id: 'easy', seed: i + k } });
          if (r.type !== 'observation') errors++;
          return c;
        }),
      );
      clients.push(...batch);
    }
    await new Promise((r) => setTimeout(r, quick ? 500 : 1500));
    const loaded = srv.rssBytes();
    return [
      { section: 'memory', name: 'idle RSS', value: idle / 2 ** 20, unit: 'MB', original: ORIGINAL.idleRssMb, better: 'lower', goalAbsolute: 80 },
      { section: 'memory', name: `RSS with ${sessions} WS sessions`, value: loaded / 2 ** 20, unit: 'MB', better: 'lower' },
      { section: 'memory', name: 'bytes per open session', value: (loaded - base) / sessions / 1024, unit: 'KB', better: 'lower', goalAbsolute: 300, note: 'open WS + freshly reset episode' },
      { section: 'memory', name: `errors opening ${sessions} sessions`, value: errors, unit: '', better: 'lower', goalAbsolute: 0 },
    ];
  } finally {
    for (const c of clients) c.close();
    await srv.stop();
  }
}

/**
 * `serve --workers N` on this 2-core machine: 16 and 256 WebSocket clients against 1 and 2
 * workers over one SQLite file (WAL; the same kind of store for both, so only the worker count
 * differs). The driver shares the two cores with the workers.
 */
async function workers(quick: boolean): Promise<Figure[]> {
  const seconds = quick ? 4 : 10;
  const figures: Figure[] = [];
  const rates = new Map<string, number>();
  for (const count of [1, 2]) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-bench-workers-'));
    // Every client comes from the loopback: one client address, so its share is the whole capacity.
    const srv = await startServer({ WORKERS: String(count), STORE_PATH: path.join(dir, 'episodes.sqlite'), MAX_CONCURRENT_ENVS: '512', MAX_SESSIONS_PER_CLIENT: '512' });
    try {
      for (const n of [16, 256]) {
        const s = await closedLoop(srv.url, 'ws', n, seconds);
        const label = `WS ${n} clients, ${count} worker${count > 1 ? 's' : ''}`;
        rates.set(`${n}/${count}`, s.steps / s.elapsedS);
        figures.push(...loopFigures('workers', label, s).filter((f) => !f.name.endsWith('p50')));
      }
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const n of [16, 256]) {
    figures.push({ section: 'workers', name: `WS ${n} clients, 2 workers / 1 worker`, value: rates.get(`${n}/2`)! / rates.get(`${n}/1`)!, unit: '×', better: 'higher', note: 'steps/s ratio; 2 cores shared with the driver' });
  }
  return figures;
}

type Section = { name: string; run: (quick: boolean) => Promise<Figure[]> };
export const serverSections: Section[] = [
  { name: 'http', run: httpWs },
  { name: 'concurrency', run: concurrency },
  { name: 'workers', run: workers },
  { name: 'health', run: health },
  { name: 'memory', run: memory },
  { name: 'fuzz', run: fuzzFigures },
  { name: 'soak', run: soakFigures },
];
