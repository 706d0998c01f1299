/**
 * The action log (README "Durable episodes"): unfinished HTTP episodes continue after a restart
 * and on another server sharing the store, with the numbers of an uninterrupted run; a log that
 * does not replay is refused; WebSocket episodes are resumed by a new connection under the
 * documented rule; two writers of one step are serialised (409, then the retry continues).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import type { Action } from '../../src/env/types.ts';
import { BALANCED, WsClient, get, post, startServer, withServer } from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => path.join(dir, `s${files++}`, 'episodes.sqlite');

/** Actions that differ step to step, so a replay that skipped or reordered one would show. */
const ACTIONS: Action[] = [
  BALANCED,
  { action_type: 'select_batch', batch_size: 7, strategy_weights: { diversity: 0.7, random: 0.3 } },
  { action_type: 'select_batch', batch_size: 12, strategy_weights: { uncertainty: 1 } },
  { action_type: 'select_batch', batch_size: 5, strategy_weights: { random: 0.5, uncertainty: 0.25, diversity: 0.25 } },
] as Action[];
const actionAt = (k: number): Action => ACTIONS[k % ACTIONS.length];

/** What an uninterrupted in-process run answers for the first `n` steps. */
function reference(task: string, seed: number, n: number) {
  const env = new DataSelectEnv();
  env.reset({ task, seed });
  const results = [];
  for (let k = 0; k < n && !env.done; k++) results.push(env.step(actionAt(k)));
  return { results, grade: env.done ? env.grade() : null };
}

function assertSameStep(reply: any, result: ReturnType<DataSelectEnv['step']>, what: string) {
  // As it travels: JSON has no negative zero.
  const expected = JSON.parse(JSON.stringify(result));
  assert.equal(reply.step, expected.step, `${what}: step`);
  assert.equal(reply.reward.value, expected.reward, `${what}: reward`);
  assert.deepEqual(reply.observation, expected.observation, `${what}: observation`);
  assert.deepEqual(reply.info, expected.info, `${what}: info`);
  assert.equal(reply.done, expected.done, `${what}: done`);
  assert.equal(reply.terminated, expected.terminated, `${what}: terminated`);
  assert.equal(reply.truncated, expected.truncated, `${what}: truncated`);
}

describe('restart: unfinished HTTP episodes continue where they were', () => {
  test('three tasks, stopped mid-episode, restarted on the same file: every later step and the grade are the uninterrupted ones', async () => {
    const file = freshFile();
    const plays = [
      { task: 'easy', seed: 11, before: 3, id: '' },
      { task: 'medium', seed: 4294967295, before: 1, id: '' },
      { task: 'hard', seed: 0, before: 0, id: 'custom-é-id' },
    ];
    const first = await startServer({ STORE_PATH: file });
    try {
      for (const p of plays) {
        const r = await post(first.url, '/reset', { task_id: p.task, seed: p.seed, ...(p.id ? { episode_id: p.id } : {}) });
        p.id = r.body.episode_id;
        const ref = reference(p.task, p.seed, p.before);
        for (let k = 0; k < p.before; k++) {
          assertSameStep((await post(first.url, '/step', { episode_id: p.id, action: actionAt(k) })).body, ref.results[k], `${p.task} before`);
        }
      }
    } finally {
      await first.close();
    }

    await withServer({ STORE_PATH: file }, async (second) => {
      assert.equal(second.service.sessions.liveEpisodes, 0, 'nothing in memory after the restart');
      for (const p of plays) {
        const state = (await get(second.url, `/state?episode_id=${encodeURIComponent(p.id)}`)).body;
        assert.equal(state.step_count, p.before);
        assert.equal(state.done, false);
        const ref = reference(p.task, p.seed, 100);
        let k = p.before;
        for (; k < ref.results.length; k++) {
          const r = await post(second.url, '/step', { episode_id: p.id, action: actionAt(k) });
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assertSameStep(r.body, ref.results[k], `${p.task} step ${k + 1} after the restart`);
        }
        assert.equal(ref.results[k - 1].done, true);
        const grade = (await post(second.url, '/grader', { episode_id: p.id, task_id: p.task })).body;
        assert.equal(grade.score, ref.grade!.score);
        assert.deepEqual(grade.breakdown, ref.grade!.breakdown);
        const stored = (await get(second.url, `/episodes/${encodeURIComponent(p.id)}`)).body;
        assert.equal(stored.steps.length, ref.results.length, 'the history holds the steps from before and after the restart');
      }
      assert.equal(second.service.sessions.liveEpisodes, 0, 'finished episodes leave memory');
    });
  });

  test('a log that does not replay is refused with replay_mismatch, never served', async () => {
    const file = freshFile();
    const first = await startServer({ STORE_PATH: file });
    const id = (await post(first.url, '/reset', { task_id: 'hard', seed: 5 })).body.episode_id;
    for (let k = 0; k < 2; k++) await post(first.url, '/step', { episode_id: id, action: actionAt(k) });
    const untouched = (await post(first.url, '/reset', { task_id: 'hard', seed: 5 })).body.episode_id;
    await post(first.url, '/step', { episode_id: untouched, action: actionAt(0) });
    await first.close();
    // Alter the stored reward of step 2 by one unit in the last place.
    const db = new DatabaseSync(file);
    const row = db.prepare('SELECT record FROM steps WHERE episode_id = ? AND t = 2').get(id) as { record: string };
    const record = JSON.parse(row.record);
    record.reward = record.reward + Math.abs(record.reward) * Number.EPSILON;
    db.prepare('UPDATE steps SET record = ? WHERE episode_id = ? AND t = 2').run(JSON.stringify(record), id);
    db.close();

    await withServer({ STORE_PATH: file }, async (second) => {
      for (const r of [await post(second.url, '/step', { episode_id: id, action: actionAt(2) }), await get(second.url, `/state?episode_id=${id}`)]) {
        assert.equal(r.status, 500);
        assert.equal(r.body.reason, 'replay_mismatch');
        assert.match(r.body.detail, /different results at step 2/);
      }
      assert.equal(second.service.sessions.getLive(id), undefined, 'the refused episode is not cached');
      const ok = await post(second.url, '/step', { episode_id: untouched, action: actionAt(1) });
      assert.equal(ok.status, 200, 'other episodes are unaffected');
      assertSameStep(ok.body, reference('hard', 5, 2).results[1], 'untouched episode');
    });
  });
});

describe('two servers on one store (replicas)', () => {
  test('any server continues any HTTP episode; a stale copy loses with 409 step_conflict, changes nothing, and the retry continues', async () => {
    const file = freshFile();
    const a = await startServer({ STORE_PATH: file });
    const b = await startServer({ STORE_PATH: file });
    try {
      const ref = reference('medium', 9, 100);
      const id = (await post(a.url, '/reset', { task_id: 'medium', seed: 9 })).body.episode_id;
      assertSameStep((await post(a.url, '/step', { episode_id: id, action: actionAt(0) })).body, ref.results[0], 'A step 1');
      assertSameStep((await post(b.url, '/step', { episode_id: id, action: actionAt(1) })).body, ref.results[1], 'B step 2 (loaded from the log)');
      // A still holds the episode at step 1: its step 2 loses.
      const stale = await post(a.url, '/step', { episode_id: id, action: actionAt(2) });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.code, 'CONFLICT');
      assert.equal(stale.body.reason, 'step_conflict');
      assert.equal((await get(b.url, `/state?episode_id=${id}`)).body.step_count, 2, 'the losing step was not applied');
      const retried = await post(a.url, '/step', { episode_id: id, action: actionAt(2) });
      assert.equal(retried.status, 200);
      assertSameStep(retried.body, ref.results[2], 'A retry = step 3');
      // Both step at once: one wins, the other gets 409, the log has exactly one step 4.
      const [x, y] = await Promise.all([
        post(a.url, '/step', { episode_id: id, action: actionAt(3) }),
        post(b.url, '/step', { episode_id: id, action: actionAt(3) }),
      ]);
      assert.deepEqual([x.status, y.status].sort(), [200, 409]);
      assertSameStep((x.status === 200 ? x : y).body, ref.results[3], 'the winner');
      assert.equal((await get(a.url, `/state?episode_id=${id}`)).body.step_count, 4);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('WebSocket resume', () => {
  test('a dropped connection\'s episode is resumed by a new connection, with the uninterrupted numbers', async () => {
    const file = freshFile();
    await withServer({ STORE_PATH: file }, async (s) => {
      const ref = reference('easy', 3, 100);
      const ws = await WsClient.connect(`${s.wsUrl}/ws`);
      const id = (await ws.request({ type: 'reset', data: { task_id: 'easy', seed: 3 } })).data.episode_id;
      let last: any;
      for (let k = 0; k < 2; k++) last = await ws.request({ type: 'step', data: actionAt(k) });
      // Another connection may not take it while it is held.
      const other = await WsClient.connect(`${s.wsUrl}/ws`);
      const held = await other.request({ type: 'resume', data: { episode_id: id } });
      assert.equal(held.type, 'error');
      assert.equal(held.data.reason, 'episode_in_use');
      ws.socket.terminate();
      await ws.closed;
      await new Promise((r) => setTimeout(r, 20));
      const resumed = await other.request({ type: 'resume', data: { episode_id: id } });
      assert.equal(resumed.type, 'observation');
      assert.deepEqual(
        [resumed.data.episode_id, resumed.data.task_id, resumed.data.step, resumed.data.done, resumed.data.reward],
        [id, 'easy', 2, false, last.data.reward],
      );
      assert.deepEqual(resumed.data.observation, last.data.observation);
      for (let k = 2; k < ref.results.length; k++) {
        const r = await other.request({ type: 'step', data: actionAt(k) });
        assert.equal(r.type, 'observation', JSON.stringify(r));
        assert.equal(r.data.reward, ref.results[k].reward);
        assert.deepEqual(r.data.observation, JSON.parse(JSON.stringify(ref.results[k].observation)));
      }
      assert.equal((await post(s.url, '/grader', { episode_id: id, task_id: 'easy' })).body.score, ref.grade!.score);
      assert.equal((await other.request({ type: 'resume', data: { episode_id: id } })).data.reason, 'episode_over');
      other.close();
    });
  });

  test('after a restart too; refused: HTTP episodes, unknown ids, episodes ended with close, bad data', async () => {
    const file = freshFile();
    const first = await startServer({ STORE_PATH: file });
    const ws = await WsClient.connect(`${first.wsUrl}/ws`);
    const id = (await ws.request({ type: 'reset', data: { task_id: 'hard', seed: 8 } })).data.episode_id;
    await ws.request({ type: 'step', data: actionAt(0) });
    const ended = await WsClient.connect(`${first.wsUrl}/ws`);
    const endedId = (await ended.request({ type: 'reset', data: { task_id: 'hard' } })).data.episode_id;
    await ended.request({ type: 'close' });
    const httpId = (await post(first.url, '/reset', { task_id: 'hard' })).body.episode_id;
    await first.close();
    await ws.closed;

    await withServer({ STORE_PATH: file }, async (second) => {
      const c = await WsClient.connect(`${second.wsUrl}/ws`);
      const expectError = async (data: unknown, reason: string) => {
        const r = await c.request({ type: 'resume', data });
        assert.equal(r.type, 'error', JSON.stringify(r));
        assert.equal(r.data.reason, reason, JSON.stringify(r));
      };
      await expectError({ episode_id: httpId }, 'episode_in_use');
      await expectError({ episode_id: endedId }, 'episode_not_found');
      await expectError({ episode_id: 'never-existed' }, 'episode_not_found');
      await expectError({}, 'invalid_request');
      await expectError(null, 'invalid_request');
      await expectError({ episode_id: 5 }, 'invalid_request');
      const resumed = await c.request({ type: 'resume', data: { episode_id: id } });
      assert.equal(resumed.data.step, 1);
      const r = await c.request({ type: 'step', data: actionAt(1) });
      assert.equal(r.data.reward, reference('hard', 8, 2).results[1].reward);
      // Over HTTP a WebSocket episode is still not steppable.
      assert.equal((await post(second.url, '/step', { episode_id: id, action: BALANCED })).body.reason, 'episode_not_found');
      c.close();
    });
  });
});
