/**
 * The completed-episode store (D8, docs/protocol.md §3.1, §4.13, §4.14): a restart on the same SQLite
 * file keeps finished episodes gradable with identical JSON; history listing and paging; one
 * record per step; retention by count and by age; the store's own checks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { BALANCED, WsClient, get, post, startServer, withServer } from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function playHttp(url: string, task: string, seed: number, label: string | null, steps = Infinity) {
  const id = (await post(url, '/reset', { task_id: task, seed, label })).body.episode_id;
  // A refused step first: it must leave no record (§4.14 lists accepted steps only).
  const refused = await post(url, '/step', { episode_id: id, action: { ...BALANCED, batch_size: -1 } });
  assert.equal(refused.status, 422);
  const replies: any[] = [];
  let done = false;
  while (!done && replies.length < steps) {
    const r = (await post(url, '/step', { episode_id: id, action: { ...BALANCED, metadata: { ignored: true } } })).body;
    replies.push(r);
    done = r.done;
  }
  return { id, replies };
}

describe('restart on the same SQLite file', () => {
  test('finished episodes (HTTP and WS) stay gradable with identical JSON; history is the same', async () => {
    const file = path.join(dir, 'restart', 'episodes.sqlite');
    const first = await startServer({ STORE_PATH: file });
    const a = await playHttp(first.url, 'medium', 7, 'run-a');
    const ws = await WsClient.connect(`${first.wsUrl}/ws`);
    const wsReset = await ws.request({ type: 'reset', data: { task_id: 'hard', seed: 1, label: 'ws-run' } });
    await ws.request({ type: 'step', data: BALANCED });
    await ws.request({ type: 'step', data: { ...BALANCED, action_type: 'stop' } });
    ws.close();
    const unfinished = (await post(first.url, '/reset', { task_id: 'easy' })).body.episode_id;
    const gradeA = await post(first.url, '/grader', { episode_id: a.id, task_id: 'medium' });
    const gradeWs = await post(first.url, '/grader', { episode_id: wsReset.data.episode_id, task_id: 'hard' });
    const detailA = await get(first.url, `/episodes/${a.id}`);
    const list = await get(first.url, '/episodes');
    await first.close();
    assert.ok(existsSync(file), 'the store file is created (with its directory)');

    await withServer({ STORE_PATH: file }, async (second) => {
      assert.deepEqual(await post(second.url, '/grader', { episode_id: a.id, task_id: 'medium' }).then((r) => r.body), gradeA.body);
      assert.deepEqual(await post(second.url, '/grader', { episode_id: wsReset.data.episode_id, task_id: 'hard' }).then((r) => r.body), gradeWs.body);
      assert.deepEqual((await get(second.url, `/episodes/${a.id}`)).body, detailA.body);
      assert.deepEqual((await get(second.url, '/episodes')).body, list.body);
      // State of a stored episode, and of the unfinished one (its log survived the restart).
      const state = await get(second.url, `/state?episode_id=${a.id}`);
      assert.equal(state.body.done, true);
      assert.equal(state.body.step_count, a.replies.length);
      const open = await get(second.url, `/state?episode_id=${unfinished}`);
      assert.equal(open.status, 200);
      assert.deepEqual([open.body.done, open.body.step_count, open.body.task_id], [false, 0, 'easy']);
      assert.equal((await post(second.url, '/grader', { episode_id: unfinished, task_id: 'easy' })).status, 404);
      // A stored id stays taken, and a stored episode cannot be stepped.
      assert.equal((await post(second.url, '/reset', { episode_id: a.id })).status, 409);
      assert.equal((await post(second.url, '/step', { episode_id: a.id, action: BALANCED })).body.reason, 'episode_over');
      assert.equal(await second.store.integrityCheck(), 'ok');
    });
  });
});

describe('episode history', () => {
  test('GET /episodes/{id}: one record per accepted step, as played', async () => {
    await withServer({}, async (s) => {
      const { id, replies } = await playHttp(s.url, 'hard', 42, 'detail');
      const ep = (await get(s.url, `/episodes/${id}`)).body;
      assert.deepEqual(Object.keys(ep).sort(), ['episode_id', 'finished_at', 'grade', 'initial_observation', 'label', 'seed', 'step_count', 'steps', 'task_id']);
      assert.equal(ep.seed, 42);
      assert.equal(ep.label, 'detail');
      assert.match(ep.finished_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(ep.steps.length, replies.length);
      ep.steps.forEach((st: any, k: number) => {
        assert.equal(st.t, k + 1);
        assert.deepEqual(st.action, BALANCED, 'the action as accepted, §2.2 fields only');
        assert.equal(st.reward, replies[k].reward.value);
        assert.deepEqual(st.terms, replies[k].info.terms);
        assert.deepEqual(st.observation, replies[k].observation);
        assert.equal(st.done, replies[k].done);
      });
      assert.deepEqual(ep.grade, (await post(s.url, '/grader', { episode_id: id, task_id: 'hard' })).body);
      // A stop's terms are the stop terms.
      const stopId = (await post(s.url, '/reset', { task_id: 'easy' })).body.episode_id;
      await post(s.url, '/step', { episode_id: stopId, action: { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } } });
      const stopEp = (await get(s.url, `/episodes/${stopId}`)).body;
      assert.deepEqual(Object.keys(stopEp.steps[0].terms), ['stop_reward']);
      assert.equal(stopEp.steps[0].terms.stop_reward, 15);
      // A 255-character custom id (with non-ASCII, percent-encoded in the path) reads back.
      const longId = `é${'x'.repeat(253)}ü`;
      await post(s.url, '/reset', { episode_id: longId, task_id: 'hard' });
      await post(s.url, '/step', { episode_id: longId, action: { ...BALANCED, action_type: 'stop' } });
      assert.equal((await get(s.url, `/episodes/${encodeURIComponent(longId)}`)).body.episode_id, longId);
      assert.equal((await get(s.url, `/state?episode_id=${encodeURIComponent(longId)}`)).body.episode_id, longId);
      // Live → 404 episode_not_finished; unknown → 404 episode_not_found.
      const live = (await post(s.url, '/reset')).body.episode_id;
      for (const [missing, reason] of [[live, 'episode_not_finished'], ['nope', 'episode_not_found']]) {
        const r = await get(s.url, `/episodes/${missing}`);
        assert.equal(r.status, 404);
        assert.equal(r.body.reason, reason);
      }
    });
  });

  test('GET /episodes: newest first, paging with next_before, task filter, errors', async () => {
    await withServer({}, async (s) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const task = i % 2 === 0 ? 'easy' : 'hard';
        const id = (await post(s.url, '/reset', { task_id: task, seed: i, label: `L${i}` })).body.episode_id;
        await post(s.url, '/step', { episode_id: id, action: { ...BALANCED, action_type: 'stop' } });
        ids.push(id);
      }
      const all = (await get(s.url, '/episodes')).body;
      assert.deepEqual(all.episodes.map((e: any) => e.episode_id), [...ids].reverse());
      assert.equal(all.next_before, null);
      const row = all.episodes[0];
      assert.deepEqual(Object.keys(row).sort(), ['episode_id', 'finished_at', 'label', 'passed', 'score', 'seed', 'step_count', 'task_id']);
      const grade = (await post(s.url, '/grader', { episode_id: row.episode_id, task_id: row.task_id })).body;
      assert.equal(row.score, grade.score);
      assert.equal(row.passed, grade.passed);
      // Pages of 2.
      const seen: string[] = [];
      let before: string | null = null;
      let pages = 0;
      do {
        const q: string = `/episodes?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`;
        const page: any = (await get(s.url, q)).body;
        seen.push(...page.episodes.map((e: any) => e.episode_id));
        before = page.next_before;
        pages++;
      } while (before !== null);
      assert.deepEqual(seen, [...ids].reverse());
      assert.equal(pages, 3);
      const hard = (await get(s.url, '/episodes?task_id=hard')).body.episodes;
      assert.deepEqual(hard.map((e: any) => e.label), ['L3', 'L1']);
      assert.equal((await get(s.url, '/episodes?task_id=&limit=')).body.episodes.length, 5, 'empty values are absent');
      for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'limit=2.5', 'before=garbage']) {
        const r = await get(s.url, `/episodes?${q}`);
        assert.equal(r.status, 422, q);
        assert.equal(r.body.reason, 'invalid_request');
      }
      const bad = await get(s.url, '/episodes?task_id=nope');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.reason, 'invalid_task');
    });
  });
});

describe('retention', () => {
  test('over HTTP: COMPLETED_RETENTION=2 evicts the oldest finished episode (then unknown: 404)', async () => {
    await withServer({ COMPLETED_RETENTION: 2 }, async (s) => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const id = (await post(s.url, '/reset', { task_id: 'hard' })).body.episode_id;
        await post(s.url, '/step', { episode_id: id, action: { ...BALANCED, action_type: 'stop' } });
        ids.push(id);
      }
      assert.equal((await post(s.url, '/grader', { episode_id: ids[0], task_id: 'hard' })).status, 404);
      assert.equal((await get(s.url, `/state?episode_id=${ids[0]}`)).status, 404);
      assert.equal((await post(s.url, '/grader', { episode_id: ids[2], task_id: 'hard' })).status, 200);
    });
  });
});
