/**
 * The contract: /openapi.json is a valid OpenAPI 3.1 document generated from the routes'
 * declared schemas, every documented status of every route is really answered (and its body
 * matches its schema: the test server's ContractChecker fails `close()` otherwise), and the
 * checker itself can fail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ContractChecker } from '../../src/protocol/contract.ts';
import { ROUTE_SCHEMAS } from '../../src/protocol/routes.ts';
import { BALANCED, WsClient, get, post, request, serverForSuite } from '../server/helpers.ts';

// Closing it after the last test fails the file when any reply broke its declared schema.
const server = serverForSuite({ MAX_BODY_BYTES: 2048 });

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
/** @fastify/swagger writes `const: x` as the equivalent `enum: [x]`. */
const constAsEnum = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(constAsEnum);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'const') out.enum = [x];
    // and `patternProperties: {"^.*$": X}` (TypeBox's Record) as `additionalProperties: X`
    else if (k === 'patternProperties' && typeof x === 'object' && x !== null && Object.keys(x).join() === '^.*$') out.additionalProperties = constAsEnum((x as Record<string, unknown>)['^.*$']);
    else out[k] = constAsEnum(x);
  }
  return out;
};
const stop = { ...BALANCED, action_type: 'stop', batch_size: 0 };
const openapiPath = (route: string) => route.replace(/:([A-Za-z_]+)/g, '{$1}');
/**
 * Documented statuses this file cannot provoke, with the test that does (under the same checker).
 * GET /ready 503 needs a store that fails to write.
 */
const ELSEWHERE = new Set([
  // test/server/store-failures.test.ts, store-startup.test.ts (a store that fails on demand)
  'GET /ready 503',
  'POST /reset 503',
  'POST /step 503',
  'GET /state 503',
  'POST /grader 503',
  'GET /episodes 503',
  'GET /episodes/:id 503',
  // test/server/action-log.test.ts (two servers on one store; a tampered log)
  'POST /step 409',
  'POST /step 500',
  'GET /state 500',
]);

describe('/openapi.json', () => {
  test('is a valid OpenAPI 3.1 document that validate --url accepts', async () => {
    const doc = (await get(server.url, '/openapi.json')).body;
    const result = await new Validator().validate(doc);
    assert.deepEqual(result, { valid: true }, JSON.stringify(result.errors));
    assert.equal(doc.openapi, '3.1.0');
    assert.match(doc.info.version, /^1\./);
    for (const p of ['/reset', '/step', '/state', '/health', '/metadata', '/schema', '/mcp', '/tasks', '/grader', '/baseline']) {
      assert.ok(doc.paths[p], `${p} documented`);
    }
    assert.equal(doc.paths['/reset'].post.requestBody.required, false, 'the /reset body is optional');
    assert.equal(doc.paths['/step'].post.requestBody.required, true);
    // Only the protocol's routes: not the pages, the console, the upgrades or the preflight.
    assert.deepEqual(Object.keys(doc.paths).sort(), [...new Set(Object.keys(ROUTE_SCHEMAS).map((k) => openapiPath(k.split(' ')[1])))].sort());
  });

  test('documents exactly the declared schemas, status by status', async () => {
    const doc = (await get(server.url, '/openapi.json')).body;
    for (const [key, route] of Object.entries(ROUTE_SCHEMAS)) {
      const [method, path] = key.split(' ');
      const op = doc.paths[openapiPath(path)][method.toLowerCase()];
      assert.equal(op.summary, route.summary);
      assert.deepEqual(Object.keys(op.responses).sort(), Object.keys(route.response).sort(), key);
      for (const [status, schema] of Object.entries(route.response as Record<string, object>)) {
        const documented = op.responses[status].content?.['application/json']?.schema;
        if ((schema as { type?: string }).type === 'null') {
          assert.equal(documented, undefined, `${key} ${status}: no body`);
          continue;
        }
        const { description: _d, ...expected } = constAsEnum(plain(schema)) as Record<string, unknown>;
        const { description: _e, ...actual } = documented;
        assert.deepEqual(actual, expected, `${key} ${status}`);
      }
    }
  });
});

/**
 * One request per documented (route, status). The server's ContractChecker validates each body
 * against the schema of its status; here each status is asserted to be the one answered.
 */
describe('every documented response status is answered', () => {
  test('each (route, status) pair of ROUTE_SCHEMAS', async () => {
    const finished = (await post(server.url, '/reset', { task_id: 'hard', label: 'contract' })).body.episode_id;
    await post(server.url, '/step', { episode_id: finished, action: stop });
    const live = (await post(server.url, '/reset', { task_id: 'medium' })).body.episode_id;
    const big = { label: 'x'.repeat(4096) };
    const wsOwned = await WsClient.connect(`${server.wsUrl}/ws`);
    const owned = (await wsOwned.request({ type: 'reset', data: {} })).data.episode_id;
    const exchanges: Record<string, Record<number, () => Promise<{ status: number }>>> = {
      'GET /': { 200: () => get(server.url, '/') },
      'GET /health': { 200: () => get(server.url, '/health') },
      'GET /ready': { 200: () => get(server.url, '/ready') },
      'GET /metadata': { 200: () => get(server.url, '/metadata') },
      'GET /schema': { 200: () => get(server.url, '/schema') },
      'POST /reset': {
        200: () => post(server.url, '/reset'),
        400: () => post(server.url, '/reset', { task_id: 'nope' }),
        409: () => post(server.url, '/reset', { episode_id: finished }),
        413: () => post(server.url, '/reset', big),
        415: () => post(server.url, '/reset', '{}', { 'content-type': 'text/plain' }),
        422: () => post(server.url, '/reset', { seed: -1 }),
      },
      'POST /step': {
        200: () => post(server.url, '/step', { episode_id: live, action: BALANCED }),
        400: () => post(server.url, '/step', { episode_id: finished, action: BALANCED }),
        404: () => post(server.url, '/step', { episode_id: owned, action: BALANCED }),
        413: () => post(server.url, '/step', { action: BALANCED, ...big }),
        415: () => post(server.url, '/step', '{}', { 'content-type': 'text/plain' }),
        422: () => post(server.url, '/step', { action: { ...BALANCED, strategy_weights: { greedy: 1 } } }),
      },
      'GET /state': {
        200: () => get(server.url, `/state?episode_id=${finished}`),
        404: () => get(server.url, '/state?episode_id=nope'),
        422: () => get(server.url, '/state?episode_id=%07'),
      },
      'GET /tasks': { 200: () => get(server.url, '/tasks') },
      'POST /grader': {
        200: () => post(server.url, '/grader', { episode_id: finished }),
        400: () => post(server.url, '/grader', { episode_id: finished, task_id: 'easy' }),
        404: () => post(server.url, '/grader', { episode_id: live }),
        413: () => post(server.url, '/grader', { episode_id: finished, ...big }),
        415: () => post(server.url, '/grader', '{}', { 'content-type': 'text/plain' }),
        422: () => post(server.url, '/grader', {}),
      },
      'GET /baseline': { 200: () => get(server.url, '/baseline') },
      'GET /episodes': {
        200: () => get(server.url, '/episodes?limit=5'),
        400: () => get(server.url, '/episodes?task_id=nope'),
        422: () => get(server.url, '/episodes?limit=0'),
      },
      'GET /episodes/:id': {
        200: () => get(server.url, `/episodes/${finished}`),
        404: () => get(server.url, `/episodes/${live}`),
        422: () => get(server.url, '/episodes/%07'),
      },
      'GET /list_environments': { 200: () => get(server.url, '/list_environments') },
      'GET /:env_name/splits': { 200: () => get(server.url, '/dataselectenv/splits'), 404: () => get(server.url, '/nope/splits') },
      ...Object.fromEntries(
        (['tasks', 'num_tasks', 'task', 'task_range'] as const).map((name) => [
          `POST /:env_name/${name}`,
          {
            200: () => post(server.url, `/dataselectenv/${name}`, { split: 'test', index: 0, start: 0, stop: 2 }),
            400: () => post(server.url, `/dataselectenv/${name}`, { split: 'nope', index: 0 }),
            404: () => post(server.url, `/nope/${name}`, { split: 'test', index: 0 }),
            413: () => post(server.url, `/dataselectenv/${name}`, { split: 'test', index: 0, ...big }),
            415: () => post(server.url, `/dataselectenv/${name}`, '{}', { 'content-type': 'text/plain' }),
            422: () => post(server.url, `/dataselectenv/${name}`, {}),
          },
        ]),
      ),
      'POST /mcp': {
        200: () => post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'grade_episode', arguments: { episode_id: finished } } }),
        202: () => post(server.url, '/mcp', { jsonrpc: '2.0', method: 'ping' }),
        413: () => post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'ping', params: big }),
        415: () => post(server.url, '/mcp', '{}', { 'content-type': 'text/plain' }),
      },
    };
    assert.deepEqual(Object.keys(exchanges).sort(), Object.keys(ROUTE_SCHEMAS).sort());
    for (const [key, route] of Object.entries(ROUTE_SCHEMAS)) {
      const documented = Object.keys(route.response).filter((status) => !ELSEWHERE.has(`${key} ${status}`));
      assert.deepEqual(Object.keys(exchanges[key]).sort(), documented.sort(), `${key}: one request per documented status`);
      for (const [status, send] of Object.entries(exchanges[key])) {
        const reply = await send();
        assert.equal(reply.status, Number(status), `${key} → ${status}: ${JSON.stringify((reply as { body?: unknown }).body)}`);
      }
    }
    wsOwned.close();
    assert.deepEqual(server.contract.violations, []);
    assert.ok(server.contract.counts.http > 40 && server.contract.counts.mcp >= 1 && server.contract.counts.ws >= 1);
  });

  test('unknown paths and methods answer the error body', async () => {
    assert.equal((await get(server.url, '/nope')).status, 404);
    assert.equal((await request(server.url, 'DELETE', '/reset')).status, 405);
    assert.deepEqual(server.contract.violations, []);
  });
});

describe('the checker can fail', () => {
  test('a reply off its schema, an undocumented status, a bad frame and a bad tool payload are reported', () => {
    const c = new ContractChecker();
    c.http('POST /reset', 200, { episode_id: 'a', task_id: 'easy', observation: {}, reward: null, done: false });
    c.http('POST /reset', 200, {
      episode_id: 'a',
      task_id: 'easy',
      observation: { remaining_budget: 1, diversity_score: 1, noise_estimate: 0, current_performance: 0.5, samples_available: 3 },
      reward: null,
      done: false,
      extra: 1,
    });
    c.http('GET /health', 500, { detail: 'x', code: 'EXECUTION_ERROR', reason: 'internal' });
    c.http(null, 404, { detail: 'x' });
    c.wsFrame({ type: 'observation', data: { reward: '1' } });
    c.mcp(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_state' } },
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: '{}' }], structuredContent: {}, isError: false, data: {} } },
    );
    c.mcp(null, { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'both' } });
    assert.equal(c.violations.length, 7, c.violations.join('\n'));
    assert.throws(() => c.assertClean(), /7 replies broke the protocol contract/);
  });
});
