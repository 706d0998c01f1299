/**
 * Isolation under concurrency (D9, docs/protocol.md §3.5): 64 HTTP episodes (each naming its
 * episode_id) and 64 WebSocket episodes with different seeds and tasks, all in flight at once
 * and interleaved with /baseline calls, must each give exactly the numbers of the same episode
 * run alone in process.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { DataSelectEnv } from '../../src/env/env.ts';
import { replayAllOverHttp } from '../../src/replay/remote.ts';
import { firstDifference, infoDifference, type LoadedTrace } from '../../src/replay/trace.ts';
import { classicTraces } from '../helpers.ts';
import type { Action } from '../../src/env/types.ts';
import { WsClient, get, post, startServer, type TestServer } from './helpers.ts';

const TASKS = ['easy', 'medium', 'hard'];
const N = 64;

/** A different policy per episode, so episodes don't all draw the same amounts. */
function policy(i: number): Action {
  const mixes = [
    { uncertainty: 0.4, diversity: 0.4, random: 0.2 },
    { random: 1 },
    { diversity: 0.7, random: 0.3 },
    { uncertainty: 0.2, random: 0.8 },
  ];
  return { action_type: 'select_batch', batch_size: 5 + (i % 4) * 5, strategy_weights: mixes[i % mixes.length] } as Action;
}

interface Expected {
  task: string;
  seed: number;
  action: Action;
  observations: unknown[];
  rewards: number[];
  grade: unknown;
}

function isolated(task: string, seed: number, action: Action): Expected {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  const observations: unknown[] = [];
  const rewards: number[] = [];
  let done = false;
  while (!done) {
    const r = env.step(action);
    observations.push(r.observation);
    rewards.push(r.reward);
    done = r.done;
  }
  return { task, seed, action, observations, rewards, grade: env.grade() };
}

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  pollAgent.destroy();
  await server.close();
});

/** GET `path` on one dedicated keep-alive connection, so the poll never queues behind the load's requests in the client; resolves with the parsed body and how long the round trip took (ms). */
const pollAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function timedGetOverOwnConnection(path: string): Promise<{ body: any; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.url}${path}`, { agent: pollAgent }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ body: JSON.parse(text), ms: performance.now() - started }));
    });
    req.on('error', reject);
  });
}

/** The value below which a fraction `q` of `values` lie (nearest rank). */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const tick = () => new Promise((r) => setImmediate(r));

test(`${N} HTTP + ${N} WebSocket episodes at once equal their isolated runs`, async (t) => {
  const httpExpected = Array.from({ length: N }, (_, i) => isolated(TASKS[i % 3], 1000 + i, policy(i)));
  const wsExpected = Array.from({ length: N }, (_, i) => isolated(TASKS[(i + 1) % 3], 2000 + i, policy(i + 1)));
  let errors = 0;
  let mismatches = 0;
  let steps = 0;
  const mismatch = (what: string) => {
    mismatches++;
    if (mismatches <= 5) t.diagnostic(`mismatch: ${what}`);
  };

  // A difference is counted (the first few named) rather than thrown, so every episode runs to its end.
  const compareStep = (episode: string, e: Expected, k: number, reward: number, observation: unknown) => {
    if (reward !== e.rewards[k]) mismatch(`${episode} step ${k + 1} reward`);
    if (!isDeepStrictEqual(observation, e.observations[k])) mismatch(`${episode} step ${k + 1} observation`);
  };
  const compareGrade = async (episode: string, e: Expected, id: string) => {
    const g = await post(server.url, '/grader', { episode_id: id, task_id: e.task });
    if (g.status !== 200) return void errors++;
    if (!isDeepStrictEqual(g.body, { episode_id: id, ...(e.grade as object) })) mismatch(`${episode} grade`);
  };

  const runHttp = async (e: Expected, i: number) => {
    const reset = await post(server.url, '/reset', { task_id: e.task, seed: e.seed, label: `http-${i}` });
    if (reset.status !== 200) return void errors++;
    const id = reset.body.episode_id;
    for (let k = 0; k < e.rewards.length; k++) {
      await tick();
      const r = await post(server.url, '/step', { episode_id: id, action: e.action });
      steps++;
      if (r.status !== 200) return void errors++;
      compareStep(`http ${i}`, e, k, r.body.reward.value, r.body.observation);
    }
    await compareGrade(`http ${i}`, e, id);
  };

  const runWs = async (e: Expected, i: number) => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    try {
      const reset = await ws.request({ type: 'reset', data: { task_id: e.task, seed: e.seed, label: `ws-${i}` } });
      if (reset.type !== 'observation') return void errors++;
      const id = reset.data.episode_id;
      for (let k = 0; k < e.rewards.length; k++) {
        await tick();
        const r = await ws.request({ type: 'step', data: e.action });
        steps++;
        if (r.type !== 'observation') return void errors++;
        compareStep(`ws ${i}`, e, k, r.data.reward, r.data.observation);
      }
      ws.send({ type: 'close', data: {} });
      await ws.next();
      await compareGrade(`ws ${i}`, e, id);
    } finally {
      ws.close();
    }
  };

  // /health is polled throughout: launchers give it 2 s, it must answer promptly under load (§4.1).
  // Promptly is measured against GET / (a route that reads nothing) polled on the same connection,
  // alternately before and after it: both wait alike for the loaded event loop (this process also
  // drives the load, and shares the CPU with whatever else runs), so what shows is the time /health
  // itself adds.
  let loading = true;
  const healthMs: number[] = [];
  const controlMs: number[] = [];
  const pollHealth = (async () => {
    const health = async () => {
      const { body, ms } = await timedGetOverOwnConnection('/health');
      healthMs.push(ms);
      if (body.status !== 'healthy') errors++;
    };
    const control = async () => {
      controlMs.push((await timedGetOverOwnConnection('/')).ms);
    };
    for (let round = 0; loading; round++) {
      for (const poll of round % 2 === 0 ? [health, control] : [control, health]) await poll();
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const started = Date.now();
  await Promise.all([
    ...httpExpected.map(runHttp),
    ...wsExpected.map(runWs),
    // /baseline in the middle of everything must neither disturb nor be disturbed (D9).
    get(server.url, '/baseline').then((r) => (r.status === 200 ? 0 : errors++)),
  ]);
  loading = false;
  h.disable();
  t.diagnostic(`loop delay max ${(h.max / 1e6).toFixed(0)} ms p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms`);
  await pollHealth;
  const episodes = 2 * N;
  t.diagnostic(`episodes ${episodes}, steps ${steps}, errors ${errors}, mismatches ${mismatches}, ${Date.now() - started} ms`);
  const figures = (ms: number[]) => `median ${quantile(ms, 0.5).toFixed(1)} p90 ${quantile(ms, 0.9).toFixed(1)} worst ${Math.max(...ms).toFixed(1)} ms`;
  const latencies = `/health ${figures(healthMs)}; GET / ${figures(controlMs)} (${healthMs.length} polls each)`;
  t.diagnostic(`under load: ${latencies}`);
  // The launchers' 2 s (less a margin), for what /health adds to the worst wait of GET /.
  assert.ok(Math.max(...healthMs) < Math.max(...controlMs) + 1500, `/health under load: ${latencies}`);
  // /health may cost what GET / costs (it reads counters), no more: typical and slow polls alike.
  assert.ok(healthMs.length >= 10, `only ${healthMs.length} polls: ${latencies}`);
  assert.ok(quantile(healthMs, 0.5) <= 2 * quantile(controlMs, 0.5) + 20, `/health is slower than GET /: ${latencies}`);
  assert.ok(quantile(healthMs, 0.9) <= 2 * quantile(controlMs, 0.9) + 50, `/health is slower than GET /: ${latencies}`);
  assert.equal(errors, 0);
  assert.equal(mismatches, 0);
  const expectedSteps = [...httpExpected, ...wsExpected].reduce((n, e) => n + e.rewards.length, 0);
  assert.equal(steps, expectedSteps);
  // Every episode is in the store, listed with its label.
  const listed = await get(server.url, `/episodes?limit=1000`);
  const labels = new Set(listed.body.episodes.map((e: any) => e.label));
  for (let i = 0; i < N; i++) {
    assert.ok(labels.has(`http-${i}`) && labels.has(`ws-${i}`), `episode ${i} listed`);
  }
});

/** Replays one golden trace over /ws (then grades it over HTTP, D11); returns the first difference or null. */
async function replayOverWs(loaded: LoadedTrace): Promise<string | null> {
  const { trace } = loaded;
  const ws = await WsClient.connect(`${server.wsUrl}/ws`);
  try {
    const reset = await ws.request({ type: 'reset', data: { task_id: trace.task_id, seed: trace.seed } });
    let d = firstDifference('initial_observation', reset.data?.observation, trace.initial_observation, true);
    if (d) return d;
    for (const step of trace.steps) {
      await tick();
      const r = await ws.request({ type: 'step', data: step.action });
      const at = `step t=${step.t}`;
      if (!step.accepted) {
        if (r.type !== 'error' || r.data.reason !== step.error?.kind) return `${at}: ${JSON.stringify(r)} instead of ${step.error?.kind}`;
        continue;
      }
      if (r.type !== 'observation') return `${at}: ${JSON.stringify(r)}`;
      d =
        firstDifference(`${at} observation`, r.data.observation, step.observation, true) ??
        firstDifference(`${at} reward`, r.data.reward, step.reward) ??
        firstDifference(`${at} done`, r.data.done, step.done) ??
        infoDifference(`${at} info`, r.data.info, step.info);
      if (d) return d;
    }
    const g = await post(server.url, '/grader', { episode_id: reset.data.episode_id, task_id: trace.task_id });
    return firstDifference('grade', { task_id: g.body.task_id, score: g.body.score, passed: g.body.passed, breakdown: g.body.breakdown }, trace.grade);
  } finally {
    ws.close();
  }
}

test('golden traces interleaved across transports: seed 123 over /ws and seed 0 over HTTP at once, with /baseline', async (t) => {
  const pick = (seed: number) =>
    classicTraces((name) => name.includes(`-s${seed}-`));
  const wsTraces = pick(123);
  const httpTraces = pick(0);
  assert.equal(wsTraces.length + httpTraces.length, 108);
  const [wsDiffs, httpResults] = await Promise.all([
    Promise.all(wsTraces.map(replayOverWs)),
    replayAllOverHttp(httpTraces, server.url, 16),
    get(server.url, '/baseline'),
  ]);
  const failures = [
    ...wsDiffs.map((d, i) => (d ? `ws ${wsTraces[i].name}: ${d}` : null)),
    ...httpResults.map((r) => (r.ok ? null : `http ${r.name}: ${r.difference}`)),
  ].filter((x) => x !== null);
  t.diagnostic(`golden traces: ${wsTraces.length} over /ws + ${httpTraces.length} over HTTP concurrently, ${failures.length} mismatches`);
  assert.deepEqual(failures, []);
});
