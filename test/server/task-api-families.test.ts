/**
 * The Task API for every task of every family: each family has a train, a validation and a test
 * split; every registered task is in one split of each type; for every split and every task in
 * it, /task, /tasks, /task_range and /num_tasks agree, and `reset(split, index)` over HTTP, the
 * WebSocket and MCP's start_episode starts that (task, seed) — the same episode as naming the
 * task and seed, bit for bit — with the split and index in its metadata.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TASK_IDS, getTask } from '../../src/env/tasks.ts';
import { WsClient, get, post, serverForSuite } from './helpers.ts';

const server = serverForSuite();

const api = (path: string, body: unknown) => post(server.url, `/dataselectenv/${path}`, body);

describe('Task API: every task of every family', () => {
  test('list_environments and splits: a train, validation and test split per family, every task in one of each', async () => {
    assert.deepEqual((await get(server.url, '/list_environments')).body, ['dataselectenv']);
    const splits = (await get(server.url, '/dataselectenv/splits')).body as any[];
    const families = new Set(TASK_IDS.map((id) => getTask(id)!.family));
    assert.deepEqual(new Set(splits.map((s) => s.family)), families);
    for (const type of ['train', 'validation', 'test']) {
      const ofType = splits.filter((s) => s.type === type);
      const tasks = ofType.flatMap((s) => s.tasks);
      assert.deepEqual([...tasks].sort(), [...TASK_IDS].sort(), `${type}: every task exactly once`);
      for (const s of ofType) for (const t of s.tasks) assert.equal(getTask(t)!.family, s.family, `${s.name}: one family`);
    }
    // Within a family the seed ranges are disjoint and cover 0 … 2³²−1.
    for (const family of families) {
      const ranges = splits.filter((s) => s.family === family).map((s) => [s.seeds.start, s.seeds.stop]).sort((a, b) => a[0] - b[0]);
      assert.equal(ranges[0][0], 0, family);
      for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i][0], ranges[i - 1][1], `${family}: contiguous, disjoint`);
      assert.equal(ranges.at(-1)![1], 2 ** 32, family);
    }
  });

  test('every split: num_tasks, tasks, task and task_range agree; reset(split, index) on every transport starts that task and seed', async () => {
    const splits = (await get(server.url, '/dataselectenv/splits')).body as any[];
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    try {
      for (const s of splits) {
        assert.equal((await api('num_tasks', { split: s.name })).body.num_tasks, s.num_tasks, s.name);
        const listed = (await api('tasks', { split: s.name })).body;
        assert.equal(listed.num_tasks, s.num_tasks);
        assert.deepEqual([...new Set(listed.tasks.slice(0, s.tasks.length).map((e: any) => e.task_id))], s.tasks, `${s.name}: the first entries cover its tasks`);
        const last = (await api('task_range', { split: s.name, start: -1 })).body.tasks;
        assert.equal(last.length, 1);
        assert.equal(last[0].index, s.num_tasks - 1);
        // The first entry of each task, and the last entry of the split.
        const indices = [...s.tasks.map((_: string, i: number) => i), s.num_tasks - 1];
        for (const index of indices) {
          const entry = (await api('task', { split: s.name, index })).body.task;
          assert.equal(entry.split, s.name);
          assert.equal(entry.index, index);
          assert.ok(s.tasks.includes(entry.task_id));
          assert.ok(entry.seed >= s.seeds.start && entry.seed < s.seeds.stop);
          const where = `${s.name}[${index}]`;

          const byIndex = await post(server.url, '/reset', { split: s.name, index });
          assert.equal(byIndex.status, 200, `${where}: ${JSON.stringify(byIndex.body)}`);
          assert.deepEqual([byIndex.body.task_id, byIndex.body.metadata.seed], [entry.task_id, entry.seed], where);
          assert.deepEqual([byIndex.body.metadata.split, byIndex.body.metadata.index], [s.name, index], where);
          const byName = await post(server.url, '/reset', { task_id: entry.task_id, seed: entry.seed });
          assert.deepEqual(byName.body.observation, byIndex.body.observation, `${where}: the same episode`);
          assert.deepEqual([byName.body.metadata.split, byName.body.metadata.index], [s.name, index], `${where}: located`);

          const viaWs = await ws.request({ type: 'reset', data: { split: s.name, index } });
          assert.equal(viaWs.type, 'observation', JSON.stringify(viaWs));
          assert.deepEqual([viaWs.data.task_id, viaWs.data.observation], [entry.task_id, byIndex.body.observation], `${where} over /ws`);

          const viaMcp = await post(server.url, '/mcp', {
            jsonrpc: '2.0',
            id: index,
            method: 'tools/call',
            params: { name: 'start_episode', arguments: { split: s.name, index } },
          });
          const payload = viaMcp.body.result.data;
          assert.equal(viaMcp.body.result.isError, false, `${where}: ${JSON.stringify(payload)}`);
          assert.deepEqual([payload.task_id, payload.observation], [entry.task_id, byIndex.body.observation], `${where} over MCP`);
        }
      }
    } finally {
      ws.close();
      await ws.closed;
    }
  });

  test('a split without an index: the default task where the split has it, else its first task; a task of another family is refused', async () => {
    const classic = await post(server.url, '/reset', { split: 'test' });
    assert.equal(classic.body.task_id, 'easy');
    const curation = await post(server.url, '/reset', { split: 'curation-test', seed: 42 });
    assert.equal(curation.status, 200, JSON.stringify(curation.body));
    assert.deepEqual([curation.body.task_id, curation.body.metadata.seed, curation.body.metadata.split], ['curation-easy', 42, 'curation-test']);
    const hard = await post(server.url, '/reset', { split: 'curation-validation', task_id: 'curation-hard', seed: 5 });
    assert.deepEqual([hard.body.task_id, hard.body.metadata.seed], ['curation-hard', 3005], 'a seed outside the split is mapped into it');
    const wrong = await post(server.url, '/reset', { split: 'curation-train', task_id: 'hard' });
    assert.deepEqual([wrong.status, wrong.body.reason], [400, 'invalid_task']);
  });
});
