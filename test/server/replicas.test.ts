/**
 * Replicas on one PostgreSQL (the compose topology as local processes: tools/local-cluster.ts,
 * three server processes, Debian's nginx with deploy/nginx/nginx.conf). Any replica serves any
 * HTTP episode with the numbers of an isolated run; concurrent writers of one step are
 * serialised (one 409); a SIGKILLed replica's episodes continue elsewhere; a retried step is never
 * applied twice; the store going away answers 503 and changes nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BALANCED_ACTION } from '../../src/env/baseline.ts';
import { DataSelectEnv } from '../../src/env/env.ts';
import type { Action } from '../../src/env/types.ts';
import { clusterUnavailableReason, startLocalCluster, type LocalCluster } from '../../tools/local-cluster.ts';
import { REPO_ROOT } from '../helpers.ts';
import { get, post } from './helpers.ts';

const skip = clusterUnavailableReason() ?? false;

const DIVERSE: Action = { action_type: 'select_batch', batch_size: 12, strategy_weights: { diversity: 0.7, random: 0.3 } };
const STOP: Action = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };

/** Rewards and performances of an isolated in-process run of these actions. */
function isolated(task: string, seed: number, actions: Action[]): { rewards: number[]; performances: number[] } {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  const rewards: number[] = [];
  const performances: number[] = [];
  for (const a of actions) {
    const r = env.step(a);
    rewards.push(r.reward);
    performances.push(r.observation.current_performance);
    if (r.done) break;
  }
  return { rewards, performances };
}

describe('replicas on one PostgreSQL behind nginx', { skip, timeout: 240_000 }, () => {
  let cluster: LocalCluster;
  before(async () => {
    cluster = await startLocalCluster({ replicas: 3, env: { SESSION_IDLE_TIMEOUT_S: '600' } });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('round-robin: /health names each replica in turn; every step lands elsewhere and gives the isolated numbers; /state, /grader, /episodes agree everywhere', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const h = await get(cluster.url, '/health');
      assert.equal(h.status, 200);
      seen.add(h.body.replica_id);
    }
    assert.deepEqual([...seen].sort(), ['replica-1', 'replica-2', 'replica-3']);

    const actions = [BALANCED_ACTION, DIVERSE, BALANCED_ACTION, DIVERSE, BALANCED_ACTION, STOP];
    const expected = isolated('medium', 1234, actions);
    const [r1, r2, r3] = cluster.replicas;
    const reset = await post(r1!.url, '/reset', { task_id: 'medium', seed: 1234, label: 'replicas' });
    assert.equal(reset.status, 200);
    const id = reset.body.episode_id;
    // Each step on the next replica, directly (no balancer): every one must catch up from the log.
    const order = [r2!, r3!, r1!, r2!, r3!, r1!];
    for (let t = 0; t < actions.length; t++) {
      const s = await post(order[t]!.url, '/step', { episode_id: id, action: actions[t] });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.equal(s.body.step, t + 1);
      assert.equal(s.body.reward.value, expected.rewards[t], `reward of step ${t + 1}`);
      assert.equal(s.body.observation.current_performance, expected.performances[t]);
      assert.equal(s.body.done, t === actions.length - 1);
    }
    const grades = await Promise.all(cluster.replicas.map((r) => post(r.url, '/grader', { episode_id: id, task_id: 'medium' })));
    for (const g of grades) {
      assert.equal(g.status, 200);
      assert.deepEqual(g.body, grades[0]!.body);
    }
    for (const r of cluster.replicas) {
      const state = await get(r.url, `/state?episode_id=${id}`);
      assert.equal(state.body.step_count, actions.length);
      assert.equal(state.body.done, true);
      const list = await get(r.url, '/episodes?limit=5');
      assert.ok(list.body.episodes.some((e: { episode_id: string }) => e.episode_id === id));
    }
  });

  it('an unfinished episode’s /state is current on every replica, including ones holding an older copy', async () => {
    const [r1, r2, r3] = cluster.replicas;
    const id = (await post(r1!.url, '/reset', { task_id: 'easy', seed: 5 })).body.episode_id;
    await post(r1!.url, '/step', { episode_id: id, action: BALANCED_ACTION }); // r1 holds it at step 1
    await post(r2!.url, '/step', { episode_id: id, action: BALANCED_ACTION });
    await post(r3!.url, '/step', { episode_id: id, action: BALANCED_ACTION });
    for (const r of cluster.replicas) assert.equal((await get(r.url, `/state?episode_id=${id}`)).body.step_count, 3, r.id);
  });

  it('two replicas stepping one episode at once: one applies the step, the other answers 409 step_conflict; the retry applies the next step', async () => {
    let conflicts = 0;
    for (let round = 0; round < 5; round++) {
      const [r1, r2] = cluster.replicas;
      const seed = 700 + round;
      const id = (await post(r1!.url, '/reset', { task_id: 'hard', seed })).body.episode_id;
      // Both replicas hold the episode at step 1, so both compute step 2 from the same state.
      await post(r1!.url, '/step', { episode_id: id, action: BALANCED_ACTION });
      await post(r2!.url, '/step', { episode_id: id, action: BALANCED_ACTION }).then((r) => assert.equal(r.status, 200));
      await post(r1!.url, '/step', { episode_id: id, action: BALANCED_ACTION }).then((r) => assert.equal(r.status, 200));
      const both = await Promise.all([
        post(r1!.url, '/step', { episode_id: id, action: BALANCED_ACTION }),
        post(r2!.url, '/step', { episode_id: id, action: DIVERSE }),
      ]);
      const statuses = both.map((b) => b.status).sort();
      const state = await get(r1!.url, `/state?episode_id=${id}`);
      if (statuses[0] === 200 && statuses[1] === 200) {
        // The second request arrived after the first committed: applied in turn, never both as step 4.
        assert.deepEqual(both.map((b) => b.body.step).sort(), [4, 5]);
        assert.equal(state.body.step_count, 5);
        continue;
      }
      assert.deepEqual(statuses, [200, 409], JSON.stringify(both.map((b) => b.body)));
      conflicts++;
      const loser = both.find((b) => b.status === 409)!;
      assert.equal(loser.body.code, 'CONFLICT');
      assert.equal(loser.body.reason, 'step_conflict');
      assert.equal(state.body.step_count, 4, 'the loser changed nothing');
      const winnerAction = both[0]!.status === 200 ? BALANCED_ACTION : DIVERSE;
      const loserAction = winnerAction === BALANCED_ACTION ? DIVERSE : BALANCED_ACTION;
      const loserUrl = both[0]!.status === 409 ? r1!.url : r2!.url;
      const retry = await post(loserUrl, '/step', { episode_id: id, action: loserAction });
      assert.equal(retry.status, 200);
      assert.equal(retry.body.step, 5);
      const expected = isolated('hard', seed, [BALANCED_ACTION, BALANCED_ACTION, BALANCED_ACTION, winnerAction, loserAction]);
      assert.equal(retry.body.reward.value, expected.rewards[4]);
    }
    // The requests race for real on two processes: report how often the conflict path ran.
    console.log(`# concurrent step pairs that conflicted: ${conflicts}/5`);
  });

  it('a retried step (same "step" number) is answered from the log, never applied twice; a different action for a taken number is a conflict', async () => {
    const [r1, r2, r3] = cluster.replicas;
    const id = (await post(r1!.url, '/reset', { task_id: 'easy', seed: 77 })).body.episode_id;
    const first = await post(r1!.url, '/step', { episode_id: id, action: BALANCED_ACTION, step: 1 });
    assert.equal(first.status, 200);
    for (const r of [r2!, r3!, r1!]) {
      const again = await post(r.url, '/step', { episode_id: id, action: BALANCED_ACTION, step: 1 });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body, `${r.id} answers the retry with the same reply`);
    }
    assert.equal((await get(r3!.url, `/state?episode_id=${id}`)).body.step_count, 1);
    const other = await post(r2!.url, '/step', { episode_id: id, action: DIVERSE, step: 1 });
    assert.equal(other.status, 409);
    assert.equal(other.body.reason, 'step_conflict');
    const ahead = await post(r2!.url, '/step', { episode_id: id, action: DIVERSE, step: 3 });
    assert.equal(ahead.status, 409);
    const second = await post(r2!.url, '/step', { episode_id: id, action: DIVERSE, step: 2 });
    assert.equal(second.status, 200);
    assert.equal(second.body.reward.value, isolated('easy', 77, [BALANCED_ACTION, DIVERSE]).rewards[1]);
  });

  it('SIGKILL of a replica: its episodes continue on the others with identical numbers; nginx routes around it; restarted, it serves again', async () => {
    const victim = cluster.replicas[2]!;
    const seeds = [11, 12, 13, 14];
    const ids: string[] = [];
    for (const seed of seeds) {
      const r = await post(victim.url, '/reset', { task_id: 'hard', seed });
      await post(victim.url, '/step', { episode_id: r.body.episode_id, action: BALANCED_ACTION });
      ids.push(r.body.episode_id);
    }
    await victim.kill();
    for (let i = 0; i < ids.length; i++) {
      const expected = isolated('hard', seeds[i]!, Array(8).fill(BALANCED_ACTION));
      for (let t = 1; ; t++) {
        const s = await post(cluster.url, '/step', { episode_id: ids[i], action: BALANCED_ACTION, step: t + 1 });
        assert.equal(s.status, 200, JSON.stringify(s.body));
        assert.equal(s.body.reward.value, expected.rewards[t]);
        if (s.body.done) break;
      }
    }
    await victim.start();
    assert.equal((await get(victim.url, '/health')).body.replica_id, victim.id);
    const g = await post(victim.url, '/grader', { episode_id: ids[0], task_id: 'hard' });
    assert.equal(g.status, 200);
  });

  it('PostgreSQL gone: a step answers 503 STORE_UNAVAILABLE and changes nothing; the same step works once it is back', { timeout: 60_000 }, async () => {
    const [r1, r2] = cluster.replicas;
    const id = (await post(r1!.url, '/reset', { task_id: 'medium', seed: 9 })).body.episode_id;
    await post(r1!.url, '/step', { episode_id: id, action: BALANCED_ACTION });
    cluster.pg.pause();
    try {
      const s = await post(r1!.url, '/step', { episode_id: id, action: DIVERSE });
      assert.equal(s.status, 503);
      assert.equal(s.body.code, 'STORE_UNAVAILABLE');
      const other = await post(r2!.url, '/step', { episode_id: id, action: DIVERSE });
      assert.equal(other.status, 503);
    } finally {
      cluster.pg.start();
    }
    const expected = isolated('medium', 9, [BALANCED_ACTION, DIVERSE]);
    const s = await post(r2!.url, '/step', { episode_id: id, action: DIVERSE });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.step, 2);
    assert.equal(s.body.reward.value, expected.rewards[1]);
  });

  it('a store unreachable at start: exit code 2 and one line naming it', async () => {
    const child = spawn(process.execPath, ['--no-warnings', path.join(REPO_ROOT, 'src/cli/main.ts'), 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STORE_URL: 'postgres://dse:hunter2@127.0.0.1:1/dataselectenv', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 2);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /postgres:\/\/dse:\*\*\*@127\.0\.0\.1:1\/dataselectenv.*cannot connect/);
    assert.doesNotMatch(stderr, /hunter2/);
  });
});
