/**
 * Episode export: GET /episodes?format=jsonl|openenv (streamed JSON Lines) and the export
 * module under it: every step, the grade, filters by task, label and time, OpenEnv's
 * results.jsonl row shape.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { exportEpisodes, parseTime } from '../../src/server/export.ts';
import { BALANCED, post, startServer, withServer, type TestServer } from './helpers.ts';

let server: TestServer;
const ids: Record<string, string> = {};

async function play(task: string, seed: number, label: string | null): Promise<string> {
  const r = await post(server.url, '/reset', { task_id: task, seed, label });
  for (let done = false; !done; ) done = (await post(server.url, '/step', { episode_id: r.body.episode_id, action: BALANCED })).body.done;
  return r.body.episode_id;
}

async function lines(path: string): Promise<{ status: number; type: string | null; rows: any[] }> {
  const res = await fetch(server.url + path);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), rows: res.status === 200 ? text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [JSON.parse(text)] };
}

before(async () => {
  server = await startServer();
  ids.a = await play('hard', 42, 'run-a');
  ids.b = await play('easy', 5, 'run-b');
  ids.c = await play('hard', 20_000, 'run-a');
  // An unfinished episode is never exported.
  await post(server.url, '/reset', { task_id: 'medium', seed: 1, label: 'run-a' });
});
after(async () => {
  await server.close();
});

describe('GET /episodes?format=jsonl', () => {
  test('one line per finished episode, newest first, with every step and the grade', async () => {
    const { status, type, rows } = await lines('/episodes?format=jsonl');
    assert.equal(status, 200);
    assert.match(type ?? '', /application\/x-ndjson/);
    assert.deepEqual(rows.map((r) => r.episode_id), [ids.c, ids.b, ids.a]);
    const a = rows[2];
    const env = new DataSelectEnv();
    const reset = env.reset({ task: 'hard', seed: 42 });
    assert.deepEqual(a.initial_observation, reset.observation);
    let ret = 0;
    for (const s of a.steps) {
      const ref = env.step(BALANCED as any);
      assert.deepEqual(s.action, BALANCED);
      assert.deepEqual(s.observation, ref.observation);
      assert.equal(s.reward, ref.reward);
      assert.deepEqual(s.terms, ref.terms);
      ret += ref.reward;
    }
    assert.equal(env.done, true);
    assert.equal(a.return, ret);
    const g = env.grade();
    assert.deepEqual(a.grade, { task_id: 'hard', score: g.score, passed: g.passed, breakdown: g.breakdown });
    assert.deepEqual([a.task_id, a.seed, a.label, a.split, a.index], ['hard', 42, 'run-a', 'test', 128]);
    assert.deepEqual([rows[0].split, rows[0].index], ['train', (20_000 - 10_000) * 3 + 2]);
  });

  test('filters: task, label, time window, limit; bad values are 4xx', async () => {
    assert.deepEqual((await lines('/episodes?format=jsonl&task_id=hard')).rows.map((r) => r.episode_id), [ids.c, ids.a]);
    assert.deepEqual((await lines('/episodes?format=jsonl&label=run-a')).rows.map((r) => r.episode_id), [ids.c, ids.a]);
    assert.deepEqual((await lines('/episodes?format=jsonl&limit=1')).rows.map((r) => r.episode_id), [ids.c]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual((await lines(`/episodes?format=jsonl&since=${encodeURIComponent(future)}`)).rows, []);
    assert.equal((await lines(`/episodes?format=jsonl&until=${encodeURIComponent(future)}`)).rows.length, 3);
    assert.deepEqual((await lines('/episodes?format=jsonl&until=0')).rows, []);
    for (const bad of ['format=xml', 'format=jsonl&since=yesterday', 'format=jsonl&limit=0', 'format=jsonl&limit=-3']) {
      const r = await lines(`/episodes?${bad}`);
      assert.equal(r.status, 422, bad);
      assert.equal(r.rows[0].reason, 'invalid_request');
    }
    assert.equal((await lines('/episodes?format=jsonl&task_id=nope')).status, 400);
    // Without format (or format=json) the paged JSON list is unchanged.
    const page: any = await (await fetch(`${server.url}/episodes?format=json&limit=2`)).json();
    assert.equal(page.episodes.length, 2);
  });

  test('format=openenv: the row shape of OpenEnv results.jsonl', async () => {
    const { rows } = await lines('/episodes?format=openenv&task_id=easy');
    assert.equal(rows.length, 1);
    const r = rows[0];
    // EpisodeRecord's fields in order (openenv/core/harness/collect.py at 385de5e; asdict keeps it).
    assert.deepEqual(Object.keys(r), ['episode_id', 'messages', 'reward', 'done', 'tool_trace', 'metrics', 'verify_metrics', 'artifacts', 'task', 'extra']);
    // _resolve_env_reward: the reward of the last tool result carrying one (metadata, else data).
    let traceReward: number | null = null;
    for (const entry of [...r.tool_trace].reverse()) {
      const res = entry.result;
      const v = res.metadata?.reward ?? (res.data && typeof res.data === 'object' ? res.data.reward : undefined);
      if (v !== undefined && v !== null) {
        traceReward = Number(v);
        break;
      }
    }
    assert.equal(r.reward, traceReward, 'the row reward is the one OpenEnv reads from its own trace');
    for (const entry of r.tool_trace) assert.deepEqual(Object.keys(entry.result), ['data', 'done', 'metadata', 'error']);
    assert.equal(r.episode_id, ids.b);
    assert.equal(r.done, true);
    const detail = (await lines('/episodes?format=jsonl&task_id=easy')).rows[0];
    assert.equal(r.reward, detail.steps.at(-1).reward);
    assert.equal(r.metrics.return, detail.return);
    assert.equal(r.metrics.score, detail.grade.score);
    assert.equal(r.tool_trace.length, detail.steps.length);
    assert.equal(r.messages.length, 1 + 2 * detail.steps.length);
    assert.deepEqual(r.messages.map((m: any) => m.role).slice(0, 3), ['user', 'assistant', 'user']);
    assert.deepEqual(JSON.parse(r.messages[1].content), BALANCED);
    assert.deepEqual(r.task, { task_id: 'easy', seed: 5, split: 'test', index: 15 });
    assert.equal(r.extra.label, 'run-b');
  });

  test('the export pages through the store (more episodes than a page)', async () => {
    await withServer({}, async (many) => {
      for (let i = 0; i < 230; i++) {
        const r = await post(many.url, '/reset', { task_id: 'hard', seed: i });
        await post(many.url, '/step', { episode_id: r.body.episode_id, action: { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } } });
      }
      let n = 0;
      const seeds = new Set<number>();
      for await (const e of exportEpisodes(many.store)) {
        n++;
        seeds.add(e.seed);
      }
      assert.equal(n, 230);
      assert.equal(seeds.size, 230);
    });
  });

  test('parseTime', () => {
    assert.equal(parseTime('0'), 0);
    assert.equal(parseTime('2026-01-31'), Date.UTC(2026, 0, 31));
    assert.equal(parseTime('2026-01-31T12:00:00Z'), Date.UTC(2026, 0, 31, 12));
    assert.equal(parseTime('yesterday'), null);
    assert.equal(parseTime('2026-13-45'), null);
  });
});
