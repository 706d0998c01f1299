/**
 * The strategy library over every transport: a curation episode playing library strategies gives
 * the in-process numbers through the in-process, HTTP and WebSocket clients and over MCP tools;
 * /tasks lists each task's strategies; a name a task does not accept is a 422 listing that task's
 * strategies (a classic task: the original three) on HTTP, a refusal frame on WebSocket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientError } from '../../src/api/errors.ts';
import { HttpEnvironment } from '../../src/client/http.ts';
import { InProcessEnvironment } from '../../src/client/inprocess.ts';
import { WsEnvironment } from '../../src/client/ws.ts';
import type { Environment } from '../../src/api/environment.ts';
import { ALL_STRATEGIES } from '../../src/env/strategies/index.ts';
import type { Action } from '../../src/env/types.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayAllOverHttp } from '../../src/replay/remote.ts';
import { loadTraces, summarise } from '../../src/replay/trace.ts';
import { get, post, serverForSuite } from './helpers.ts';

const server = serverForSuite();

const select = (strategy_weights: Record<string, number>, batch_size = 10): Action => ({ action_type: 'select_batch', batch_size, strategy_weights });
const PLAN: Action[] = [
  select({ badge: 1 }),
  select({ coreset: 1, margin: 1 }),
  select({ committee: 2, density: 1, random: 1 }),
  select({ entropy: 1, least_confidence: 1, uncertainty: 1, diversity: 1 }),
];

async function play(env: Environment) {
  const start = await env.reset({ task: 'curation-hard', seed: 21 });
  const steps = [];
  for (const a of PLAN) {
    const r = await env.step(a);
    steps.push({ observation: r.observation, reward: r.reward, info: r.info, done: r.done });
  }
  await env.step({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } });
  const g = await env.grade();
  return { initial: start.observation, steps, grade: { score: g.score, breakdown: g.breakdown } };
}

describe('library strategies over every transport', () => {
  test('in process, HTTP and WebSocket clients give the same episode', async () => {
    const reference = await play(new InProcessEnvironment());
    assert.ok(reference.steps.every((s) => (s.observation as unknown as { last_batch: object }).last_batch !== null));
    for (const make of [() => new HttpEnvironment(server.url), () => new WsEnvironment(server.url)]) {
      const env = make();
      try {
        assert.deepEqual(await play(env), reference, env.transport);
      } finally {
        await env.close();
      }
    }
  });

  test('the strategy golden traces over HTTP (replay driver)', async () => {
    const bundle = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'strategies.jsonl.gz');
    const report = summarise(await replayAllOverHttp(loadTraces([bundle]), server.url, 4));
    assert.deepEqual(report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.difference}`), []);
    assert.equal(report.matched, 18);
  });

  test('over MCP tools (take_action with a library strategy)', async () => {
    const reference = await play(new InProcessEnvironment());
    let id = 1;
    const tool = async (name: string, args: Record<string, unknown>) => {
      const r = await post(server.url, '/mcp', { jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name, arguments: args } });
      assert.equal(r.status, 200);
      return r.body.result as { isError: boolean; data: any };
    };
    const start = await tool('start_episode', { task_id: 'curation-hard', seed: 21 });
    assert.equal(start.isError, false);
    const episode_id = start.data.episode_id;
    for (const [t, a] of PLAN.entries()) {
      const r = await tool('take_action', { ...a, episode_id });
      assert.equal(r.isError, false, JSON.stringify(r.data));
      assert.deepEqual(r.data.observation, reference.steps[t].observation);
      assert.equal(r.data.reward, reference.steps[t].reward);
    }
    const refused = await tool('take_action', { ...select({ bald: 1 }), episode_id });
    assert.equal(refused.isError, true);
    assert.equal(refused.data.error.reason, 'invalid_action');
  });

  test('/tasks lists each task\'s strategies; the action schema names them all', async () => {
    const r = await get(server.url, '/tasks');
    const byId = Object.fromEntries(r.body.tasks.map((t: any) => [t.task_id, t]));
    assert.deepEqual(byId.easy.strategies, ['uncertainty', 'diversity', 'random']);
    assert.deepEqual(byId['curation-hard'].strategies, [...ALL_STRATEGIES]);
    assert.deepEqual(Object.keys(r.body.action_schema.strategy_weights.properties), [...ALL_STRATEGIES]);
  });

  test('HTTP: a classic task refuses a library name with 422 listing its three; curation lists the library', async () => {
    const classic = await post(server.url, '/reset', { task_id: 'medium', seed: 3 });
    const bad = await post(server.url, '/step', { episode_id: classic.body.episode_id, action: select({ margin: 1 }) });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.reason, 'invalid_action');
    assert.deepEqual(bad.body.detail.map((d: any) => d.loc), [['body', 'action', 'strategy_weights', 'margin']]);
    assert.match(JSON.stringify(bad.body.detail), /allowed: uncertainty, diversity, random;/);
    // The refused action changed nothing: the same step succeeds with the three.
    const ok = await post(server.url, '/step', { episode_id: classic.body.episode_id, action: select({ uncertainty: 1 }) });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.metadata?.step ?? ok.body.step, 1);

    const cur = await post(server.url, '/reset', { task_id: 'curation-easy', seed: 3 });
    const unknown = await post(server.url, '/step', { episode_id: cur.body.episode_id, action: select({ Badge: 1 }) });
    assert.equal(unknown.status, 422);
    assert.match(JSON.stringify(unknown.body.detail), new RegExp(`allowed: ${ALL_STRATEGIES.join(', ')};`));
  });

  test('WebSocket client: the refusal carries the task\'s list', async () => {
    const env = new WsEnvironment(server.url);
    try {
      await env.reset({ task: 'hard', seed: 1 });
      await assert.rejects(env.step(select({ coreset: 1 })), (e: unknown) => {
        assert.ok(e instanceof ClientError);
        assert.equal(e.reason, 'invalid_action');
        assert.match(e.message + JSON.stringify(e.issues), /allowed: uncertainty, diversity, random;/);
        return true;
      });
    } finally {
      await env.close();
    }
  });
});
