/**
 * The curation family over every transport: golden traces replayed over HTTP (the replay
 * driver), through the HTTP and WebSocket clients, and over MCP tools; the task list, the
 * schemas and the grader breakdown as served; typo'd task ids refused with the valid list.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { HttpEnvironment } from '../../src/client/http.ts';
import { WsEnvironment } from '../../src/client/ws.ts';
import { replayThroughEnvironment } from '../../src/replay/client.ts';
import { replayAllOverHttp } from '../../src/replay/remote.ts';
import { FINAL_STATE_KEYS, firstDifference, flagsDifference, infoDifference, summarise, type LoadedTrace } from '../../src/replay/trace.ts';
import { curationTraces } from '../helpers.ts';
import { get, post, serverForSuite, startServer } from './helpers.ts';

const sample = (pattern: RegExp) => curationTraces((name) => pattern.test(name));

const server = serverForSuite();

describe('curation traces over the wire', () => {
  test('every seed-42 curation trace over HTTP (replay driver)', async () => {
    const traces = sample(/-s42-/);
    assert.equal(traces.length, 39, '3 tasks × 13 policies');
    const report = summarise(await replayAllOverHttp(traces, server.url, 4));
    assert.deepEqual(report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.difference}`), []);
  });
  test('seed-3 curation traces through the HTTP and the WebSocket clients', async () => {
    const traces = sample(/-s3-/).filter((t) => t.trace.task_id !== 'curation-easy');
    assert.equal(traces.length, 26);
    for (const make of [() => new HttpEnvironment(server.url), () => new WsEnvironment(server.url)]) {
      const env = make();
      try {
        const bad = [];
        for (const t of traces) {
          const r = await replayThroughEnvironment(t, env);
          if (!r.ok) bad.push(`${env.transport} ${r.name}: ${r.difference}`);
        }
        assert.deepEqual(bad, []);
      } finally {
        await env.close();
      }
    }
  });
  test('seed-1 curation traces over MCP tools (start_episode, take_action, get_state, grade_episode)', async () => {
    const traces = sample(/-s1-/);
    assert.equal(traces.length, 39);
    const bad = [];
    for (const t of traces) {
      const d = await replayOverMcp(t);
      if (d) bad.push(`${t.name}: ${d}`);
    }
    assert.deepEqual(bad, []);
  });
});

let rpcId = 1;
async function tool(name: string, args: Record<string, unknown>): Promise<{ isError: boolean; data: any }> {
  const r = await post(server.url, '/mcp', { jsonrpc: '2.0', id: rpcId++, method: 'tools/call', params: { name, arguments: args } });
  assert.equal(r.status, 200);
  return r.body.result;
}

async function replayOverMcp({ trace }: LoadedTrace): Promise<string | null> {
  const start = await tool('start_episode', { task_id: trace.task_id, seed: trace.seed });
  if (start.isError) return `start_episode: ${JSON.stringify(start.data)}`;
  let d = firstDifference('initial_observation', start.data.observation, trace.initial_observation, true);
  if (d) return d;
  const id = start.data.episode_id;
  for (const step of trace.steps) {
    const at = `step t=${step.t}`;
    const r = await tool('take_action', { ...(step.action as object), episode_id: id });
    if (!step.accepted) {
      if (!r.isError) return `${at}: accepted, the trace refuses it`;
      if (r.data.error?.reason !== step.error?.kind) return `${at}: refused as ${r.data.error?.reason}, expected ${step.error?.kind}`;
      continue;
    }
    if (r.isError) return `${at}: refused ${JSON.stringify(r.data)}`;
    d =
      firstDifference(`${at} observation`, r.data.observation, step.observation, true) ??
      firstDifference(`${at} reward`, r.data.reward, step.reward) ??
      firstDifference(`${at} done`, r.data.done, step.done) ??
      flagsDifference(at, r.data, step) ??
      infoDifference(`${at} info`, r.data.info, step.info);
    if (d) return d;
  }
  const state = await tool('get_state', { episode_id: id });
  d = firstDifference('final_state', state.data, Object.fromEntries(FINAL_STATE_KEYS.map((k) => [k, trace.final_state[k]])));
  if (d) return d;
  const g = await tool('grade_episode', { episode_id: id });
  if (g.isError) return `grade_episode: ${JSON.stringify(g.data)}`;
  return firstDifference('grade', g.data, trace.grade);
}

describe('curation tasks as served', () => {
  test('/tasks lists both families with each task\'s own observation schema', async () => {
    const r = await get(server.url, '/tasks');
    const byId = Object.fromEntries(r.body.tasks.map((t: any) => [t.task_id, t]));
    assert.equal(byId['curation-hard'].family, 'curation');
    assert.equal(byId.hard.family, 'classic');
    assert.ok('last_batch' in byId['curation-hard'].observation_schema.properties);
    assert.ok(!('last_batch' in byId.hard.observation_schema.properties));
    assert.equal(Object.keys(byId['curation-easy'].observation_schema.properties).length, 11);
    assert.deepEqual([byId['curation-medium'].budget, byId['curation-medium'].max_steps], [120, 12]);
  });
  test('/schema describes the observation of both families (anyOf, titled by family)', async () => {
    const r = await get(server.url, '/schema');
    const byTitle = Object.fromEntries(r.body.observation.anyOf.map((s: any) => [s.title, s]));
    assert.equal(Object.keys(byTitle.classic.properties).length, 5);
    assert.equal(Object.keys(byTitle.curation.properties).length, 11);
  });
  test('a typo\'d curation id is refused (400 invalid_task, as the classic ids) naming every valid id; /grader reveals the regime only after the end', async () => {
    const bad = await post(server.url, '/reset', { task_id: 'curation-meduim' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'invalid_task');
    assert.match(bad.body.detail, /'curation-medium'/);
    const start = await post(server.url, '/reset', { task_id: 'curation-hard', seed: 11 });
    assert.equal(start.status, 200);
    const id = start.body.episode_id;
    assert.doesNotMatch(JSON.stringify(start.body), /regime|clean|defaulting/);
    const early = await post(server.url, '/grader', { episode_id: id, task_id: 'curation-hard' });
    assert.equal(early.status, 404);
    const stop = await post(server.url, '/step', { episode_id: id, action: { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } } });
    assert.equal(stop.status, 200);
    assert.equal(stop.body.reward.value, 0);
    const g = await post(server.url, '/grader', { episode_id: id, task_id: 'curation-hard' });
    assert.equal(g.status, 200);
    assert.deepEqual(Object.keys(g.body.breakdown), ['test_accuracy', 'normalised', 'anchor_random', 'anchor_reference', 'aubc', 'regime']);
    assert.ok(['clean', 'defaulting'].includes(g.body.breakdown.regime));
    const listed = await get(server.url, '/episodes?task_id=curation-hard');
    assert.ok(listed.body.episodes.some((e: any) => e.episode_id === id));
  });
});

test('a finished curation episode is graded identically after a restart on the same store file (grade data is stored)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dataselectenv-curation-'));
  const file = path.join(dir, 'episodes.sqlite');
  try {
    const first = await startServer({ STORE_PATH: file });
    let id: string;
    let before: any;
    try {
      const start = await post(first.url, '/reset', { task_id: 'curation-medium', seed: 9 });
      id = start.body.episode_id;
      for (let done = false; !done; ) {
        const r = await post(first.url, '/step', { episode_id: id, action: { action_type: 'select_batch', batch_size: 30, strategy_weights: { diversity: 1 } } });
        assert.equal(r.status, 200);
        done = r.body.done;
      }
      before = (await post(first.url, '/grader', { episode_id: id, task_id: 'curation-medium' })).body;
      assert.equal(typeof before.breakdown.test_accuracy, 'number');
    } finally {
      await first.close();
    }
    const second = await startServer({ STORE_PATH: file });
    try {
      const after = await post(second.url, '/grader', { episode_id: id, task_id: 'curation-medium' });
      assert.equal(after.status, 200);
      assert.deepEqual(after.body, before);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
