/**
 * "Never a 5xx from input, never a dropped WebSocket" (docs/protocol.md §5, D12), checked with
 * generated inputs: arbitrary JSON values and near-miss requests on every body-taking route and
 * as WebSocket messages. Each reply must be a documented 2xx/4xx with a code and reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WsClient, post, serverForSuite } from './helpers.ts';

const server = serverForSuite();

const weightKey = fc.constantFrom('uncertainty', 'diversity', 'random', 'Random', '', '__proto__', 'constructor');
const looseNumber = fc.oneof(fc.integer({ min: -5, max: 400 }), fc.double(), fc.constantFrom(0, 1e308, 5e-324, -0));
const looseValue = fc.oneof(looseNumber, fc.string(), fc.boolean(), fc.constant(null), fc.jsonValue());
const nearAction = fc.record(
  {
    action_type: fc.oneof(fc.constantFrom('select_batch', 'stop'), looseValue),
    batch_size: fc.oneof(fc.integer({ min: 0, max: 60 }), looseValue),
    strategy_weights: fc.oneof(fc.dictionary(weightKey, fc.oneof(looseNumber, looseValue), { maxKeys: 4 }), looseValue),
  },
  { requiredKeys: [] },
);
const nearBody = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      task_id: fc.oneof(fc.constantFrom('easy', 'medium', 'hard', 'x'), looseValue),
      seed: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom('7', '4294967296', ' 7'), looseValue),
      episode_id: fc.oneof(fc.constantFrom('', 'nope'), looseValue),
      label: looseValue,
      action: nearAction,
    },
    { requiredKeys: [] },
  ),
);

test('generated bodies on /reset, /step, /grader, /mcp never produce a 5xx', async () => {
  let requests = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/reset', '/step', '/grader', '/mcp'), nearBody, async (path, body) => {
      const r = await post(server.url, path, JSON.stringify(body));
      requests++;
      assert.ok(r.status < 500, `${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
      if (r.status >= 400) {
        assert.equal(typeof r.body.code, 'string');
        assert.equal(typeof r.body.reason, 'string');
      }
      if (path === '/mcp' && r.status === 200) assert.equal(r.body.jsonrpc, '2.0');
    }),
    { numRuns: 400, seed: 20260525 },
  );
  assert.equal(requests >= 400, true);
});

test('generated WebSocket messages get exactly one reply each and never close the connection', async () => {
  const ws = await WsClient.connect(`${server.wsUrl}/ws`);
  const message = fc.oneof(
    fc.jsonValue(),
    fc.record({ type: fc.oneof(fc.constantFrom('reset', 'step', 'state', 'mcp', 'nope'), looseValue), data: fc.oneof(nearBody, nearAction) }, { requiredKeys: [] }),
  );
  await fc.assert(
    fc.asyncProperty(message, async (m) => {
      const reply = await ws.request(JSON.stringify(m));
      assert.ok(['observation', 'state', 'error', 'mcp'].includes(reply.type), JSON.stringify(reply));
      if (reply.type === 'error') {
        assert.notEqual(reply.data.reason, 'internal', JSON.stringify({ m, reply }));
      }
    }),
    { numRuns: 300, seed: 20260525 },
  );
  assert.equal(ws.socket.readyState, ws.socket.OPEN);
  ws.close();
});
