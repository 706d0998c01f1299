import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { describe, it } from 'node:test';
import {
  ClientError,
  HttpClient,
  HttpEnvironment,
  InProcessEnvironment,
  WsEnvironment,
  openEnvironment,
  wsUrlFor,
  type Environment,
} from '../../src/client/index.ts';
import type { Action } from '../../src/env/types.ts';
import { BUILTIN_POLICIES, evaluate } from '../../src/client/index.ts';
import { CLASSIC } from '../helpers.ts';
import { serverForSuite } from '../server/helpers.ts';

const RANDOM: Action = { action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } };
const MIXED: Action = { action_type: 'select_batch', batch_size: 7, strategy_weights: { uncertainty: 0.2, diversity: 0.5, random: 0.3 } };

/** Plays a fixed action sequence to the end and returns everything observable. */
async function play(env: Environment, task: string, seed: number) {
  const start = await env.reset({ task, seed, label: 'client-test' });
  const steps = [];
  let done = false;
  for (let i = 0; !done; i++) {
    const r = await env.step(i % 2 === 0 ? RANDOM : MIXED);
    steps.push({ step: r.step, reward: r.reward, observation: r.observation, done: r.done, terminated: r.terminated, truncated: r.truncated, info: r.info });
    done = r.done;
  }
  const state = await env.state();
  const grade = await env.grade();
  // Through JSON, as the wire carries it: the engine's −0 reward terms arrive as 0.
  return JSON.parse(JSON.stringify({ episode_id: start.episode_id, observation: start.observation, steps, state, grade })) as {
    episode_id: string;
    observation: typeof start.observation;
    steps: typeof steps;
    state: typeof state;
    grade: typeof grade;
  };
}

/** The code/reason a call fails with (asserting that it fails with a ClientError). */
async function failure(p: Promise<unknown>): Promise<{ code: string; reason: string; status: number | undefined; issues: number }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClientError, `expected a ClientError, got ${e}`);
    return { code: e.code, reason: e.reason, status: e.status, issues: e.issues.length };
  }
  assert.fail('expected the call to fail');
}

const server = serverForSuite();

describe('one Environment interface, three transports', () => {
  it('HTTP and WebSocket give exactly the in-process numbers for the same episode', async () => {
    const local = await play(new InProcessEnvironment(), 'medium', 7);
    for (const env of [new HttpEnvironment(server.url), new WsEnvironment(server.url)]) {
      const remote = await play(env, 'medium', 7);
      await env.close();
      assert.deepEqual(remote.observation, local.observation, env.transport);
      assert.deepEqual(remote.steps, local.steps, env.transport);
      assert.deepEqual({ ...remote.state, episode_id: null }, { ...local.state, episode_id: null }, env.transport);
      assert.equal(remote.state.episode_id, remote.episode_id);
      assert.deepEqual({ ...remote.grade, episode_id: '' }, { ...local.grade, episode_id: '' }, env.transport);
      assert.equal(remote.grade.episode_id, remote.episode_id);
    }
  });

  it('refusals carry the same code and reason in process, over HTTP and over the WebSocket', async () => {
    const envs: Environment[] = [new InProcessEnvironment(), new HttpEnvironment(server.url), new WsEnvironment(server.url)];
    for (const env of envs) {
      const t = env.transport;
      assert.deepEqual(
        (({ code, reason }) => ({ code, reason }))(await failure(env.reset({ task: 'impossible' }))),
        { code: 'VALIDATION_ERROR', reason: 'invalid_task' },
        t,
      );
      await env.reset({ task: 'hard', seed: 1 });
      const bad = await failure(env.step({ action_type: 'select_batch', batch_size: 10, strategy_weights: { greedy: 1 } } as unknown as Action));
      assert.equal(bad.code, 'VALIDATION_ERROR', t);
      assert.equal(bad.reason, 'invalid_action', t);
      assert.ok(bad.issues >= 1, `${t}: validation issues are passed on`);
      const early = await failure(env.grade());
      assert.equal(early.code, 'NOT_FOUND', t);
      assert.equal(early.reason, 'episode_not_finished', t);
      await env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
      const over = await failure(env.step(RANDOM));
      assert.deepEqual([over.code, over.reason], ['EXECUTION_ERROR', 'episode_over'], t);
      await env.close();
    }
  });

  it('HTTP statuses are kept on the error', async () => {
    const env = new HttpEnvironment(server.url);
    assert.equal((await failure(env.reset({ task: 'nope' }))).status, 400);
    await env.reset({ task: 'easy' });
    assert.equal((await failure(env.step({ action_type: 'jump' } as unknown as Action))).status, 422);
  });

  it('concurrent HTTP clients each act on their own episode (ids, not the most recent one)', async () => {
    const a = new HttpEnvironment(server.url);
    const b = new HttpEnvironment(server.url);
    const [ra, rb] = await Promise.all([play(a, 'easy', 11), play(b, 'hard', 12)]);
    const [la, lb] = [await play(new InProcessEnvironment(), 'easy', 11), await play(new InProcessEnvironment(), 'hard', 12)];
    assert.deepEqual(ra.steps, la.steps);
    assert.deepEqual(rb.steps, lb.steps);
  });
});

describe('HttpClient routes', () => {
  it('health, tasks, baseline (= the golden baseline), episodes and one episode', async () => {
    const c = new HttpClient(`${server.url}/`);
    assert.equal((await c.health()).status, 'healthy');
    assert.deepEqual((await c.tasks()).tasks.map((t) => t.task_id), ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard', 'breast-cancer', 'iris', 'wine', 'digits']);
    const golden = CLASSIC.json('baseline.json');
    assert.deepEqual(await c.baseline(), golden);

    const env = new HttpEnvironment(c);
    const run = await play(env, 'hard', 5);
    const page = await c.episodes({ task: 'hard', limit: 5 });
    const listed = page.episodes.find((e) => e.episode_id === run.episode_id);
    assert.ok(listed, 'the finished episode is listed');
    assert.equal(listed.label, 'client-test');
    assert.equal(listed.score, run.grade.score);
    const record = await c.episode(run.episode_id);
    assert.equal(record.steps.length, run.steps.length);
    assert.deepEqual(record.steps.map((s) => s.reward), run.steps.map((s) => s.reward));
    assert.equal((await failure(c.episode('no-such-episode'))).reason, 'episode_not_found');
  });

  it('an unreachable server is CONNECTION_ERROR, a silent one TIMEOUT', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const t0 = Date.now();
      const slow = await failure(new HttpClient(`http://127.0.0.1:${port}`, { timeoutMs: 150 }).health());
      assert.deepEqual([slow.code, slow.reason], ['TIMEOUT', 'timeout']);
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    const refused = await failure(new HttpClient(`http://127.0.0.1:${port}`, { timeoutMs: 1000 }).health());
    assert.equal(refused.code, 'CONNECTION_ERROR');
    assert.throws(() => new HttpClient('localhost:7860'), (e: unknown) => e instanceof ClientError && e.reason === 'invalid_url');
  });

  it('refuses to step before reset instead of acting on somebody else\'s episode', async () => {
    const f = await failure(new HttpEnvironment(server.url).step(RANDOM));
    assert.deepEqual([f.code, f.reason], ['EXECUTION_ERROR', 'no_episode']);
  });
});

describe('WsEnvironment', () => {
  it('derives ws(s) URLs as OpenEnv does', () => {
    assert.equal(wsUrlFor('http://h:1/'), 'ws://h:1/ws');
    assert.equal(wsUrlFor('https://x.hf.space/base'), 'wss://x.hf.space/base/ws');
  });

  it('a dropped connection ends the episode clearly; the next reset reconnects', async () => {
    const env = new WsEnvironment(server.url);
    await env.reset({ task: 'easy', seed: 3 });
    await env.step(RANDOM);
    // Simulate a network drop: the socket dies without a close handshake.
    (env as unknown as { socket: { terminate(): void } }).socket.terminate();
    await new Promise((r) => setTimeout(r, 50));
    const lost = await failure(env.step(RANDOM));
    assert.deepEqual([lost.code, lost.reason], ['CONNECTION_LOST', 'episode_lost']);
    const again = await failure(env.state());
    assert.equal(again.reason, 'episode_lost', 'the loss is reported until the next reset');
    const fresh = await play(env, 'easy', 3);
    const local = await play(new InProcessEnvironment(), 'easy', 3);
    assert.deepEqual(fresh.steps, local.steps);
    await env.close();
    await env.close();
  });

  it('idle reaping and silence, against a scripted WebSocket server', async () => {
    const obs = { remaining_budget: 300, diversity_score: 1, noise_estimate: 0.05, current_performance: 0.6, samples_available: 1100 };
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (sock) => {
      sock.on('message', (raw) => {
        const m = JSON.parse(raw.toString());
        if (m.type === 'reset') {
          const id = `ep-${m.data.seed}`;
          sock.send(JSON.stringify({ type: 'observation', data: { episode_id: id, task_id: 'easy', observation: obs, reward: 0, done: false, step: 0, info: {}, terminated: false, truncated: false } }));
          // Seed 1: the server reaps the session right away, as after SESSION_IDLE_TIMEOUT_S (§3.4).
          if (m.data.seed === 1) {
            sock.send(JSON.stringify({ type: 'error', data: { message: 'Session idle for too long', code: 'SESSION_ERROR', reason: 'session_expired' } }));
            sock.close(1001);
          }
        }
        // Steps are never answered: a hung server.
      });
    });
    const url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    try {
      const env = new WsEnvironment(url, { timeoutMs: 200 });
      await env.reset({ seed: 1 });
      await new Promise((r) => setTimeout(r, 50));
      const reaped = await failure(env.step(RANDOM));
      assert.deepEqual([reaped.code, reaped.reason], ['CONNECTION_LOST', 'episode_lost']);
      await assert.rejects(env.step(RANDOM), /code 1001.*SESSION_ERROR\/session_expired.*ep-1.*reset\(\)/);

      assert.equal((await env.reset({ seed: 2 })).episode_id, 'ep-2', 'reset reconnects');
      const hung = await failure(env.step(RANDOM));
      assert.deepEqual([hung.code, hung.reason], ['TIMEOUT', 'timeout']);
      // A late reply would answer the wrong request, so the timed-out connection is not reused.
      assert.equal((await failure(env.step(RANDOM))).reason, 'episode_lost');
      await env.close();
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });

  it('an unreachable server is CONNECTION_ERROR; openEnvironment picks the transport', async () => {
    const f = await failure(new WsEnvironment('http://127.0.0.1:9', { timeoutMs: 1000 }).reset());
    assert.equal(f.code, 'CONNECTION_ERROR');
    assert.equal(openEnvironment().transport, 'inprocess');
    assert.equal(openEnvironment({ url: server.url }).transport, 'http');
    assert.equal(openEnvironment({ url: server.url, transport: 'ws' }).transport, 'ws');
  });
});

describe('evaluate against a server', () => {
  it('parallel episodes over HTTP and WebSocket give the sequential in-process report', async () => {
    const o = { policyName: 'diversity', policy: BUILTIN_POLICIES.diversity.policy, tasks: ['easy', 'hard'], seeds: [0, 1, 2, 3, 4] };
    const strip = (r: Awaited<ReturnType<typeof evaluate>>) => JSON.parse(JSON.stringify({ tasks: r.tasks, episodes: r.episodes.map(({ episode_id: _, ...e }) => e) }));
    const local = strip(await evaluate(new InProcessEnvironment(), o));
    let opened = 0;
    for (const transport of ['http', 'ws'] as const) {
      const progress: number[] = [];
      const r = await evaluate(
        () => {
          opened++;
          return openEnvironment({ url: server.url, transport });
        },
        { ...o, concurrency: 4, label: 'eval:test', onEpisode: (_e, done) => progress.push(done) },
      );
      assert.equal(r.transport, transport);
      assert.deepEqual(strip(r), local, transport);
      assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    assert.equal(opened, 8, 'one environment per worker');
  });
});
