import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, post, serverForSuite, WsClient } from '../server/helpers.ts';
import { wsMessage } from '../../tools/hostile-inputs.ts';

describe('WebSocket fuzzing: every hostile message gets one reply, the connection stays open', () => {
  const server = serverForSuite();

  it('random, malformed, binary and out-of-order messages', async () => {
    // A bystander connection plays a whole episode while the fuzzer runs next to it.
    const bystander = await WsClient.connect(`${server.wsUrl}/ws`);
    const reset = await bystander.request({ type: 'reset', data: { task_id: 'hard', seed: 7 } });
    assert.equal(reset.type, 'observation');
    const env = new DataSelectEnv();
    env.reset({ task: 'hard', seed: 7 });

    await fc.assert(
      fc.asyncProperty(fc.array(wsMessage, { minLength: 1, maxLength: 12 }), async (messages) => {
        const ws = await WsClient.connect(`${server.wsUrl}/ws`);
        for (const m of messages) {
          if (m.kind === 'binary') ws.socket.send(m.bytes, { binary: true });
          else ws.socket.send(m.text);
          const reply = await ws.next(3000);
          assert.equal(typeof reply.type, 'string');
          if (reply.type === 'error') {
            assert.equal(typeof reply.data.code, 'string');
            assert.equal(typeof reply.data.reason, 'string');
            assert.notEqual(reply.data.reason, 'internal', JSON.stringify(reply));
          } else {
            assert.ok(['observation', 'state'].includes(reply.type), JSON.stringify(reply));
          }
        }
        // Still open and answering.
        const state = await ws.request({ type: 'state' });
        assert.equal(state.type, 'state');
        ws.close();
        if (!env.done) {
          const r = await bystander.request({ type: 'step', data: BALANCED });
          assert.equal(r.type, 'observation');
          assert.equal(r.data.reward, env.step(BALANCED).reward);
        }
      }),
      { numRuns: 120 },
    );
    while (!env.done) {
      const r = await bystander.request({ type: 'step', data: BALANCED });
      assert.equal(r.data.reward, env.step(BALANCED).reward);
    }
    const g = await post(server.url, '/grader', { episode_id: reset.data.episode_id, task_id: 'hard' });
    assert.equal(g.status, 200);
    assert.equal(g.body.score, env.grade().score);
    bystander.close();
  });

  it('a message over the size limit closes with 1009; other sessions are unaffected', async () => {
    const a = await WsClient.connect(`${server.wsUrl}/ws`);
    const b = await WsClient.connect(`${server.wsUrl}/ws`);
    a.socket.send(JSON.stringify({ type: 'state', pad: 'x'.repeat(100_000) }));
    const closed = await a.closed;
    assert.equal(closed.code, 1009);
    assert.equal((await b.request({ type: 'state' })).type, 'state');
    b.close();
  });
});
