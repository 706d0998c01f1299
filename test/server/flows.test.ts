/**
 * Whole episodes as the known clients play them (docs/protocol.md §10): the original's HTTP scripts,
 * the original LLM runner over WebSocket then HTTP /grader (D11), OpenEnv's EnvClient shapes.
 * Numbers are compared with an in-process DataSelectEnv run of the same actions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, WsClient, get, post, serverForSuite } from './helpers.ts';

const server = serverForSuite();

/** The in-process reference: rewards and the grade of the balanced agent on (task, seed). */
function reference(task: string, seed: number, steps = Infinity) {
  const env = new DataSelectEnv();
  const reset = env.reset({ task, seed });
  const rewards: number[] = [];
  let done = false;
  while (!done && rewards.length < steps) {
    const r = env.step(BALANCED);
    rewards.push(r.reward);
    done = r.done;
  }
  return { reset, rewards, grade: done ? env.grade() : null, state: env.state() };
}

describe('original-style HTTP client', () => {
  test('reset without body, steps without episode_id until done, state, grader', async () => {
    const { url } = server;
    const ref = reference('easy', 42);
    const reset = await post(url, '/reset');
    assert.equal(reset.status, 200);
    assert.deepEqual(Object.keys(reset.body).sort(), ['done', 'episode_id', 'metadata', 'observation', 'reward', 'task_id']);
    assert.equal(reset.body.reward, null);
    assert.equal(reset.body.done, false);
    assert.equal(reset.body.task_id, 'easy');
    assert.deepEqual(reset.body.observation, ref.reset.observation);
    const id = reset.body.episode_id;
    let step;
    let n = 0;
    do {
      step = await post(url, '/step', { action: BALANCED });
      assert.equal(step.status, 200);
      assert.equal(step.body.episode_id, id);
      assert.equal(step.body.step, n + 1);
      assert.deepEqual(step.body.reward, { value: ref.rewards[n] }, 'full-precision reward in the {value} wrapper');
      assert.deepEqual(Object.keys(step.body.info).sort(), ['gain', 'noise_ratio', 'redundancy', 'terms']);
      n++;
    } while (!step.body.done);
    assert.equal(n, ref.rewards.length);
    const state = await get(url, '/state');
    assert.deepEqual(state.body, { episode_id: id, ...ref.state });
    const grade = await post(url, '/grader', { episode_id: id, task_id: 'easy' });
    assert.equal(grade.status, 200);
    assert.deepEqual(grade.body, { episode_id: id, ...ref.grade });
    // A step after the end is refused (D4), nothing changes.
    const over = await post(url, '/step', { action: BALANCED });
    assert.equal(over.status, 400);
    assert.equal(over.body.reason, 'episode_over');
  });

  test('D7: /grader answers for the requested episode, not the latest one', async () => {
    const { url } = server;
    const a = (await post(url, '/reset', { task_id: 'hard', seed: 42 })).body.episode_id;
    await post(url, '/step', { action: BALANCED });
    await post(url, '/step', { action: { ...BALANCED, action_type: 'stop' } });
    const b = (await post(url, '/reset', { task_id: 'medium', seed: 7 })).body.episode_id;
    assert.notEqual(a, b);
    const grade = await post(url, '/grader', { episode_id: a, task_id: 'hard' });
    assert.equal(grade.status, 200);
    assert.equal(grade.body.episode_id, a);
    assert.equal(grade.body.score, 0.8233);
    assert.deepEqual(grade.body.breakdown, { performance_score: 0.7819, efficiency_score: 0.9, budget_used: 10 });
  });
});

describe('original LLM runner over WebSocket (D11)', () => {
  for (const task of ['easy', 'medium', 'hard']) {
    test(`${task}: reset, steps until done, close; then HTTP /grader finds the episode`, async () => {
      const ref = reference(task, 42);
      const ws = await WsClient.connect(`${server.wsUrl}/ws`);
      const reset = await ws.request({ type: 'reset', data: { task_id: task, seed: 42 } });
      assert.equal(reset.type, 'observation');
      assert.equal(reset.data.reward, 0);
      assert.equal(reset.data.step, 0);
      assert.deepEqual(reset.data.info, {});
      assert.deepEqual(reset.data.observation, ref.reset.observation);
      const id = reset.data.episode_id;
      let n = 0;
      let reply;
      do {
        reply = await ws.request({ type: 'step', data: BALANCED });
        assert.equal(reply.type, 'observation');
        assert.equal(reply.data.reward, ref.rewards[n], 'bare full-precision reward');
        assert.ok(Number.isInteger(reply.data.observation.remaining_budget));
        n++;
      } while (!reply.data.done);
      const closeReply = await ws.request({ type: 'close', data: {} });
      assert.deepEqual(closeReply, { type: 'close', data: {} });
      assert.equal((await ws.closed).code, 1000);
      const grade = await post(server.url, '/grader', { episode_id: id, task_id: task });
      assert.equal(grade.status, 200);
      assert.deepEqual(grade.body, { episode_id: id, ...ref.grade });
    });
  }
});

describe('OpenEnv EnvClient over WebSocket', () => {
  test('reset with kwargs, step with metadata, state without data, close without data', async () => {
    const ref = reference('hard', 3, 2);
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    const reset = await ws.request({ type: 'reset', data: { seed: 3, task_id: 'hard', episode_id: 'openenv-custom-1', timeout_s: 5 } });
    assert.equal(reset.type, 'observation');
    assert.equal(reset.data.episode_id, 'openenv-custom-1');
    for (let i = 0; i < 2; i++) {
      const r = await ws.request({ type: 'step', data: { ...BALANCED, metadata: {} } });
      assert.equal(r.type, 'observation');
      assert.equal(r.data.reward, ref.rewards[i]);
    }
    const state = await ws.request({ type: 'state' });
    assert.equal(state.type, 'state');
    assert.deepEqual(state.data, { episode_id: 'openenv-custom-1', ...ref.state });
    // The same live episode is readable over HTTP but not steppable (owned by the connection).
    const httpState = await get(server.url, '/state?episode_id=openenv-custom-1');
    assert.deepEqual(httpState.body, state.data);
    const httpStep = await post(server.url, '/step', { episode_id: 'openenv-custom-1', action: BALANCED });
    assert.equal(httpStep.status, 404);
    assert.equal(httpStep.body.reason, 'episode_not_found');
    ws.send({ type: 'close' });
    assert.deepEqual(await ws.next(), { type: 'close', data: {} });
    assert.equal((await ws.closed).code, 1000);
    // The connection's unfinished episode is discarded with it.
    const gone = await get(server.url, '/state?episode_id=openenv-custom-1');
    assert.equal(gone.status, 404);
  });
});
