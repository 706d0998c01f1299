/**
 * OpenEnv's Task API (task-api.md): routes, Python slice semantics, 404/400 statuses; reset by
 * split + index on HTTP, WebSocket and MCP, deterministic; top-level metadata of replies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  HttpStepReplySchema,
  ListEnvironmentsReplySchema,
  NumTasksReplySchema,
  ResetReplySchema,
  SplitsReplySchema,
  TaskListReplySchema,
  TaskRangeReplySchema,
  TaskReplySchema,
  WsObservationSchema,
} from '../../src/protocol/wire.ts';
import { DataSelectEnv } from '../../src/env/env.ts';
import { SPLITS, getSplit, locate, numTasks, sliceBounds, taskAt, taskRange } from '../../src/env/splits.ts';
import { BALANCED, WsClient, get, conforms, post, serverForSuite } from './helpers.ts';

const server = serverForSuite();

describe('splits (pure)', () => {
  test('splits are disjoint in seeds; test holds 0..999; counts are honest', () => {
    const test_ = getSplit('test');
    assert.equal(numTasks(test_), 3000);
    assert.equal(numTasks(getSplit('validation')), 27000);
    assert.equal(numTasks(getSplit('train')), 3 * (2 ** 32 - 10_000));
    // Within a family (its tasks) the seed ranges are disjoint.
    for (const family of new Set([...SPLITS.values()].map((s) => s.family))) {
      const ranges = [...SPLITS.values()]
        .filter((s) => s.family === family)
        .map((s) => [s.seedStart, s.seedStart + s.seedCount] as const)
        .sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i][0] >= ranges[i - 1][1], `${family}: seed ranges overlap`);
      assert.equal(ranges.at(-1)![1], 2 ** 32);
    }
    assert.equal(numTasks(getSplit('curation-test')), 9000);
    assert.deepEqual(taskAt(getSplit('curation-test'), 127), {
      id: 'curation-test-127', split: 'curation-test', index: 127, family: 'curation', task_id: 'curation-medium', seed: 42,
    });
    assert.deepEqual(taskAt(test_, 0), { id: 'test-0', split: 'test', index: 0, family: 'classic', task_id: 'easy', seed: 0 });
    assert.deepEqual(taskAt(test_, 128), { id: 'test-128', split: 'test', index: 128, family: 'classic', task_id: 'hard', seed: 42 });
  });

  test('sliceBounds is Python slice clamping', () => {
    // Reference: Python's slice.indices for step 1, written out independently.
    const py = (n: number, a: number | null, b: number | null) => {
      let lo = a === null ? 0 : a < 0 ? a + n : a;
      lo = Math.min(Math.max(lo, 0), n);
      let hi = b === null ? n : b < 0 ? b + n : b;
      hi = Math.min(Math.max(hi, 0), n);
      return [lo, Math.max(lo, hi)];
    };
    fc.assert(
      fc.property(fc.nat(50), fc.option(fc.integer({ min: -80, max: 80 })), fc.option(fc.integer({ min: -80, max: 80 })), (n, a, b) => {
        const got = sliceBounds(n, a, b);
        assert.deepEqual(got, py(n, a, b));
        const arr = Array.from({ length: n }, (_, i) => i);
        assert.equal(got[1] - got[0], arr.slice(got[0], got[1]).length);
      }),
    );
  });

  test('taskAt and locate are inverse on every split', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPLITS.keys()), fc.double({ min: 0, max: 1, noNaN: true }), (name, u) => {
        const s = getSplit(name);
        const index = Math.min(numTasks(s) - 1, Math.floor(u * numTasks(s)));
        const e = taskAt(s, index);
        assert.deepEqual(locate(e.task_id, e.seed), { split: name, index });
      }),
    );
    assert.throws(() => taskAt(getSplit('test'), 3000), { reason: 'index_out_of_range' });
    assert.throws(() => taskAt(getSplit('test'), -1), { reason: 'index_out_of_range' });
    assert.throws(() => taskRange(getSplit('train'), 0, 10_001), { reason: 'range_too_large' });
  });
});

describe('Task API routes', () => {
  test('list_environments, splits, num_tasks, task, tasks, task_range', async () => {
    const envs = (await get(server.url, '/list_environments')).body;
    assert.deepEqual(envs, ['dataselectenv']);
    conforms(ListEnvironmentsReplySchema, envs, 'list_environments');
    const splits = await get(server.url, '/dataselectenv/splits');
    conforms(SplitsReplySchema, splits.body, 'splits');
    assert.equal(splits.status, 200);
    assert.deepEqual(splits.body.map((s: any) => [s.name, s.type]), [
      ['train', 'train'], ['validation', 'validation'], ['test', 'test'],
      ['curation-train', 'train'], ['curation-validation', 'validation'], ['curation-test', 'test'],
      ['dataset-train', 'train'], ['dataset-validation', 'validation'], ['dataset-test', 'test'],
    ]);
    assert.deepEqual(splits.body[2].seeds, { start: 0, stop: 1000 });
    // env_name matches case-insensitively (as OpenEnv's server does).
    assert.equal((await get(server.url, '/DataSelectEnv/splits')).status, 200);

    assert.deepEqual((await post(server.url, '/dataselectenv/num_tasks', { split: 'test' })).body, { num_tasks: 3000 });
    conforms(NumTasksReplySchema, (await post(server.url, '/dataselectenv/num_tasks', { split: 'train' })).body, 'num_tasks');
    const one = await post(server.url, '/dataselectenv/task', { split: 'validation', index: 5 });
    conforms(TaskReplySchema, one.body, 'task');
    assert.deepEqual(one.body, { task: { id: 'validation-5', split: 'validation', index: 5, family: 'classic', task_id: 'hard', seed: 1001 } });

    const list = await post(server.url, '/dataselectenv/tasks', { split: 'train' });
    conforms(TaskListReplySchema, list.body, 'tasks');
    assert.equal(list.body.env_name, 'dataselectenv');
    assert.equal(list.body.tasks.length, 1000);
    assert.equal(list.body.truncated, true);
    assert.equal(list.body.num_tasks, 3 * (2 ** 32 - 10_000));

    const range = await post(server.url, '/dataselectenv/task_range', { split: 'test', start: -2 });
    conforms(TaskRangeReplySchema, range.body, 'task_range');
    assert.deepEqual(range.body.tasks.map((t: any) => t.index), [2998, 2999]);
    const mid = await post(server.url, '/dataselectenv/task_range', { split: 'test', start: 3, stop: 6 });
    assert.deepEqual(mid.body.tasks.map((t: any) => `${t.task_id}/${t.seed}`), ['easy/1', 'medium/1', 'hard/1']);
    const empty = await post(server.url, '/dataselectenv/task_range', { split: 'test', start: 10, stop: 2 });
    assert.deepEqual(empty.body.tasks, []);
  });

  test('error statuses: 404 unknown env, 400 out of range / unknown split / too large, 422 bad fields', async () => {
    const wrongEnv = await get(server.url, '/latex_ocr_env/splits');
    assert.equal(wrongEnv.status, 404);
    assert.equal(wrongEnv.body.reason, 'unknown_environment');
    assert.equal((await post(server.url, '/nope/num_tasks', { split: 'test' })).status, 404);
    const oor = await post(server.url, '/dataselectenv/task', { split: 'test', index: 3000 });
    assert.equal(oor.status, 400);
    assert.equal(oor.body.reason, 'index_out_of_range');
    const unknown = await post(server.url, '/dataselectenv/num_tasks', { split: 'holdout' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.reason, 'invalid_split');
    assert.equal((await post(server.url, '/dataselectenv/task_range', { split: 'train', stop: 20_000 })).body.reason, 'range_too_large');
    for (const bad of [{ split: 'test', index: 1.5 }, { split: 'test', index: '3' }, { split: 'test' }, { index: 1 }, []]) {
      const r = await post(server.url, '/dataselectenv/task', bad);
      assert.equal(r.status, 422, JSON.stringify(bad));
      assert.equal(r.body.code, 'VALIDATION_ERROR');
    }
  });
});

describe('reset by split and index', () => {
  test('HTTP /reset {split, index} starts that (task, seed), deterministically, with metadata', async () => {
    const entry = (await post(server.url, '/dataselectenv/task', { split: 'test', index: 128 })).body.task;
    const a = await post(server.url, '/reset', { split: 'test', index: 128 });
    const b = await post(server.url, '/reset', { split: 'test', index: 128 });
    assert.equal(a.status, 200);
    conforms(ResetReplySchema, a.body, 'reset');
    assert.equal(a.body.task_id, entry.task_id);
    assert.deepEqual(a.body.observation, b.body.observation);
    const ref = new DataSelectEnv().reset({ task: entry.task_id, seed: entry.seed });
    assert.deepEqual(a.body.observation, ref.observation);
    assert.deepEqual(a.body.metadata, { episode_id: a.body.episode_id, task_id: 'hard', seed: 42, split: 'test', index: 128, step: 0 });
    // A plain reset reports which split its (task, seed) belongs to.
    const plain = await post(server.url, '/reset', { task_id: 'medium', seed: 20_000 });
    assert.deepEqual([plain.body.metadata.split, plain.body.metadata.index], ['train', (20_000 - 10_000) * 3 + 1]);
  });

  test('split without index maps the seed into the split; agreeing task_id/seed are accepted, conflicting ones refused', async () => {
    const inRange = await post(server.url, '/reset', { split: 'validation', task_id: 'medium', seed: 1234 });
    assert.deepEqual([inRange.body.metadata.seed, inRange.body.task_id], [1234, 'medium']);
    const mapped = await post(server.url, '/reset', { split: 'validation', seed: 7 });
    assert.deepEqual([mapped.body.metadata.seed, mapped.body.task_id], [1007, 'easy']);
    assert.equal((await post(server.url, '/reset', { split: 'test', index: 128, task_id: 'hard', seed: 42 })).status, 200);
    const conflict = await post(server.url, '/reset', { split: 'test', index: 128, task_id: 'easy' });
    assert.equal(conflict.status, 422);
    assert.deepEqual(conflict.body.detail[0].loc, ['body', 'index']);
    const noSplit = await post(server.url, '/reset', { index: 3 });
    assert.equal(noSplit.status, 422);
    assert.deepEqual(noSplit.body.detail[0].loc, ['body', 'index']);
    assert.equal((await post(server.url, '/reset', { split: 'test', index: 3000 })).body.reason, 'index_out_of_range');
    assert.equal((await post(server.url, '/reset', { split: 'dev' })).body.reason, 'invalid_split');
  });

  test('WebSocket reset and MCP start_episode take split + index too', async () => {
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    try {
      const r = await ws.request({ type: 'reset', data: { split: 'test', index: 4 } });
      assert.equal(r.type, 'observation');
      conforms(WsObservationSchema, r.data, 'ws reset');
      assert.deepEqual([r.data.task_id, r.data.metadata.seed, r.data.metadata.index], ['medium', 1, 4]);
      const bad = await ws.request({ type: 'reset', data: { split: 'test', index: -1 } });
      assert.equal(bad.type, 'error');
      assert.deepEqual(bad.data.errors[0].loc, ['data', 'index']);
    } finally {
      ws.close();
    }
    const mcp = await post(server.url, '/mcp', {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'start_episode', arguments: { split: 'test', index: 4 } },
    });
    assert.equal(mcp.body.result.isError, false);
    assert.deepEqual([mcp.body.result.data.task_id, mcp.body.result.data.metadata.seed], ['medium', 1]);
  });
});

describe('metadata', () => {
  test('every HTTP step carries reward terms, step and task; the last one the grade', async () => {
    const start = await post(server.url, '/reset', { task_id: 'hard', seed: 42 });
    const id = start.body.episode_id;
    const env = new DataSelectEnv();
    env.reset({ task: 'hard', seed: 42 });
    for (let done = false; !done; ) {
      const r = await post(server.url, '/step', { episode_id: id, action: BALANCED });
      const ref = env.step(BALANCED as any);
      done = r.body.done;
      conforms(HttpStepReplySchema, r.body, `step ${r.body.step}`);
      assert.deepEqual(Object.keys(r.body.observation).length, 5, 'the observation stays the five keys');
      assert.equal(r.body.metadata.step, r.body.step);
      assert.equal(r.body.metadata.task_id, 'hard');
      assert.deepEqual(r.body.metadata.reward_terms, ref.terms);
      if (done) {
        const g = env.grade();
        assert.deepEqual(r.body.metadata.grade, { score: g.score, passed: g.passed, breakdown: g.breakdown });
        const graded = await post(server.url, '/grader', { episode_id: id, task_id: 'hard' });
        assert.equal(graded.body.score, r.body.metadata.grade.score);
      } else assert.equal(r.body.metadata.grade, undefined);
    }
  });
});

describe('clients and eval enumerate a split', () => {
  test('reset({split, index}) gives the same episode in process, over HTTP and over the WebSocket', async () => {
    const { InProcessEnvironment, HttpEnvironment, WsEnvironment, HttpClient } = await import('../../src/client/index.ts');
    const http = new HttpClient(server.url);
    assert.deepEqual((await http.splits()).map((s) => s.name), ['train', 'validation', 'test', 'curation-train', 'curation-validation', 'curation-test', 'dataset-train', 'dataset-validation', 'dataset-test']);
    assert.equal(await http.numTasks('test'), 3000);
    const entries = await http.taskRange('test', 126, 129);
    assert.deepEqual(entries.map((e) => `${e.task_id}/${e.seed}`), ['easy/42', 'medium/42', 'hard/42']);
    assert.deepEqual(await http.taskAt('test', 128), entries[2]);
    const starts = [];
    for (const env of [new InProcessEnvironment(), new HttpEnvironment(server.url), new WsEnvironment(server.url)]) {
      try {
        const s = await env.reset({ split: 'test', index: 128 });
        starts.push([s.task_id, s.observation]);
      } finally {
        await env.close();
      }
    }
    assert.deepEqual(starts[0], starts[1]);
    assert.deepEqual(starts[0], starts[2]);
    assert.equal(starts[0][0], 'hard');
    await assert.rejects(new InProcessEnvironment().reset({ index: 3 }), (e: any) => e.reason === 'invalid_request');
    await assert.rejects(new InProcessEnvironment().reset({ split: 'test', index: 3000 }), (e: any) => e.reason === 'index_out_of_range');
  });

  test('evaluate over split entries: eval --split test --range 0:6', async () => {
    const { splitJobs } = await import('../../src/cli/commands/eval.ts');
    assert.deepEqual(splitJobs('test', '0:6'), [
      { task: 'easy', seed: 0 }, { task: 'medium', seed: 0 }, { task: 'hard', seed: 0 },
      { task: 'easy', seed: 1 }, { task: 'medium', seed: 1 }, { task: 'hard', seed: 1 },
    ]);
    assert.deepEqual(splitJobs('validation', '-1:'), [{ task: 'hard', seed: 9999 }]);
    assert.throws(() => splitJobs('dev', undefined), RangeError);
    assert.throws(() => splitJobs('train', undefined), /at most 10000/);
    assert.throws(() => splitJobs('test', '1-2'), RangeError);
    const { runCli } = await import('../cli/run-cli.ts');
    const r = await runCli(['eval', '--split', 'test', '--range', '0:6', '--policy', 'stop-immediately', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.episodes.map((e: any) => `${e.task_id}/${e.seed}`), ['easy/0', 'medium/0', 'hard/0', 'easy/1', 'medium/1', 'hard/1']);
    assert.deepEqual(report.seeds, [0, 1]);
  });
});
