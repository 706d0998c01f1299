/**
 * HTTP conventions and every HTTP error path (docs/protocol.md §1, §4, §5, §6): statuses, codes,
 * reasons, 422 locations, content types, CORS, 404/405, size limits and chunked bodies.
 */
import { PACKAGE_VERSION } from '../../src/version.ts';
import assert from 'node:assert/strict';
import http from 'node:http';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { firstDifference } from '../../src/replay/trace.ts';
import { CLASSIC } from '../helpers.ts';
import { BALANCED, get, post, request, serverForSuite, withServer } from './helpers.ts';

const server = serverForSuite({ MAX_BODY_BYTES: 2048 });

/** Asserts an error reply: status, code, reason, and (for 422) the first problem's loc. */
function assertError(reply: { status: number; body: any }, status: number, code: string, reason: string, loc?: unknown[]) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.code, code);
  assert.equal(reply.body.reason, reason);
  assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'detail', 'reason']);
  if (status === 422) {
    assert.ok(Array.isArray(reply.body.detail) && reply.body.detail.length > 0, '422 detail is a list');
    for (const d of reply.body.detail) assert.deepEqual(Object.keys(d).sort(), ['loc', 'msg', 'type']);
    if (loc) assert.deepEqual(reply.body.detail[0].loc, loc);
  } else {
    assert.equal(typeof reply.body.detail, 'string');
  }
}

describe('before any episode', () => {
  test('step without episode → 400 no_episode with the original text; state is all null', async () => {
    await withServer({}, async (fresh) => {
      const r = await post(fresh.url, '/step', { action: BALANCED });
      assertError(r, 400, 'EXECUTION_ERROR', 'no_episode');
      assert.equal(r.body.detail, 'No active episode. Call POST /reset first.');
      // Validation comes first: an invalid action with no episode is a 422 (§4.7).
      assertError(await post(fresh.url, '/step', { action: { ...BALANCED, batch_size: -1 } }), 422, 'VALIDATION_ERROR', 'invalid_action', ['body', 'action', 'batch_size']);
      const state = await get(fresh.url, '/state');
      assert.deepEqual(state.body, {
        episode_id: null, task_id: null, step_count: 0, done: false, remaining_budget: null, current_performance: null, pool_size: null,
      });
    });
  });
});

describe('service routes', () => {
  test('/health, /metadata, /schema, /, /openapi.json, /docs, /redoc', async () => {
    const health = await get(server.url, '/health');
    assert.deepEqual(health.body, {
      status: 'healthy', env: 'DataSelectEnv', version: PACKAGE_VERSION, active_sessions: 0, max_sessions: 256,
      replica_id: `${hostname()}:${process.pid}`, store: { status: 'ok' },
    });
    const meta = await get(server.url, '/metadata');
    assert.deepEqual(Object.keys(meta.body).sort(), ['author', 'description', 'documentation_url', 'name', 'readme_content', 'version']);
    assert.equal(meta.body.name, 'DataSelectEnv');
    assert.equal(typeof meta.body.description, 'string');
    const schema = await get(server.url, '/schema');
    assert.deepEqual(Object.keys(schema.body).sort(), ['action', 'observation', 'state']);
    assert.equal(schema.body.action.properties.strategy_weights.additionalProperties, false);
    assert.equal(schema.body.action.properties.strategy_weights.minProperties, 1);
    assert.deepEqual(Object.keys(schema.body.observation.anyOf[0].properties).sort(), ['current_performance', 'diversity_score', 'noise_estimate', 'remaining_budget', 'samples_available']);
    // The index lists where to go next; the console only when it is served (this server: --no-web).
    assert.deepEqual((await get(server.url, '/')).body, {
      name: 'DataSelectEnv',
      version: PACKAGE_VERSION,
      docs: '/docs',
      redoc: '/redoc',
      openapi: '/openapi.json',
      health: '/health',
    });
    const doc = (await get(server.url, '/openapi.json')).body;
    assert.equal(doc.info.title, 'DataSelectEnv');
    // The protocol's version, not the package's: the OpenEnv validator's profile (openenv-http/1.x) comes from it.
    assert.equal(doc.info.version, '1.0.0');
    assert.equal(meta.body.version, PACKAGE_VERSION);
    assert.ok(doc.openapi.startsWith('3.1'));
    for (const [p, m] of [['/reset', 'post'], ['/step', 'post'], ['/state', 'get'], ['/health', 'get'], ['/metadata', 'get'], ['/schema', 'get'], ['/mcp', 'post'], ['/tasks', 'get'], ['/grader', 'post'], ['/baseline', 'get']]) {
      assert.ok(doc.paths[p]?.[m], `${m} ${p} in openapi`);
      assert.ok(doc.paths[p][m].responses['200'].content['application/json'].schema, `${p} response schema`);
    }
    for (const page of ['/docs', '/redoc']) {
      const res = await fetch(server.url + page);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const html = await res.text();
      assert.match(html, /POST \/step/);
      assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="http/, 'self-contained');
    }
  });

  test('/tasks: original shape, easy/medium/hard, generated texts (D6)', async () => {
    const tasks = (await get(server.url, '/tasks')).body;
    assert.deepEqual(tasks.tasks.map((t: any) => t.task_id), ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard', 'breast-cancer', 'iris', 'wine', 'digits']);
    assert.deepEqual(Object.keys(tasks.action_schema).sort(), ['action_type', 'batch_size', 'strategy_weights']);
    assert.match(tasks.tasks[0].success_criteria, /0\.62/);
    assert.match(tasks.tasks[1].success_criteria, /0\.5\b/);
  });

  test('/baseline matches golden/baseline.json', async () => {
    const golden = CLASSIC.json('baseline.json');
    const r = await get(server.url, '/baseline');
    assert.equal(r.status, 200);
    assert.equal(firstDifference('baseline', r.body, golden), null);
  });

  test('CORS_ORIGINS=*: CORS on every response, OPTIONS preflight 204 on any path (default policy: test/server/security)', async () => {
    await withServer({ CORS_ORIGINS: '*' }, async (open) => {
      const r = await fetch(`${open.url}/health`, { headers: { origin: 'http://example.com' } });
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      const nf = await fetch(`${open.url}/nope`, { headers: { origin: 'http://example.com' } });
      assert.equal(nf.headers.get('access-control-allow-origin'), '*');
      for (const p of ['/reset', '/step', '/anything/at/all']) {
        const pre = await fetch(open.url + p, { method: 'OPTIONS', headers: { origin: 'http://x', 'access-control-request-method': 'POST' } });
        assert.equal(pre.status, 204);
        assert.equal(pre.headers.get('access-control-allow-origin'), '*');
        assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
        assert.match(pre.headers.get('access-control-allow-headers') ?? '', /content-type/);
      }
    });
  });

  test('unknown path 404 not_found; wrong method 405 method_not_allowed', async () => {
    assertError(await get(server.url, '/nope'), 404, 'NOT_FOUND', 'not_found');
    assertError(await get(server.url, '/health/'), 404, 'NOT_FOUND', 'not_found');
    assertError(await get(server.url, '/episodes/a/b'), 404, 'NOT_FOUND', 'not_found');
    assert.equal((await get(server.url, '/nope')).body.detail, 'Not Found');
    assertError(await request(server.url, 'PUT', '/reset'), 405, 'METHOD_NOT_ALLOWED', 'method_not_allowed');
    assertError(await get(server.url, '/step'), 405, 'METHOD_NOT_ALLOWED', 'method_not_allowed');
    assertError(await post(server.url, '/health', {}), 405, 'METHOD_NOT_ALLOWED', 'method_not_allowed');
    assertError(await request(server.url, 'DELETE', '/episodes/abc'), 405, 'METHOD_NOT_ALLOWED', 'method_not_allowed');
    assertError(await get(server.url, '/mcp'), 405, 'METHOD_NOT_ALLOWED', 'method_not_allowed');
    // Started without the console (WEB=0): its paths are unknown.
    assertError(await get(server.url, '/web'), 404, 'NOT_FOUND', 'not_found');
  });
});

describe('POST /reset', () => {
  test('defaults: no body, empty body (any content type), {}, null', async () => {
    const bodies: [unknown, Record<string, string>][] = [
      [undefined, {}],
      ['', { 'content-type': 'text/plain' }],
      ['{}', { 'content-type': 'application/json' }],
      ['null', { 'content-type': 'application/json' }],
      ['{"task_id": null, "seed": null, "episode_id": null, "label": null}', {}],
    ];
    let first: any = null;
    for (const [body, headers] of bodies) {
      const r = await request(server.url, 'POST', '/reset', body, headers);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body), ['episode_id', 'task_id', 'observation', 'reward', 'done', 'metadata']);
      assert.equal(r.body.task_id, 'easy');
      assert.equal(r.body.reward, null);
      first ??= r.body.observation;
      assert.deepEqual(r.body.observation, first);
      assert.deepEqual(Object.keys(r.body.observation).sort(), ['current_performance', 'diversity_score', 'noise_estimate', 'remaining_budget', 'samples_available']);
    }
  });

  test('seeds (D13): integral numbers and digit strings accepted; everything else 422 at body.seed', async () => {
    const a = (await post(server.url, '/reset', { seed: 7 })).body.observation;
    assert.deepEqual((await post(server.url, '/reset', { seed: '7' })).body.observation, a);
    assert.deepEqual((await post(server.url, '/reset', { seed: 7.0 })).body.observation, a);
    assert.equal((await post(server.url, '/reset', '{"seed": 4294967295}')).status, 200);
    for (const bad of ['-1', '4294967296', '7.5', 'true', '"+7"', '" 7"', '"7_000"', '"12345678901"', '"abc"', '[]', '1e999']) {
      assertError(await post(server.url, '/reset', `{"seed": ${bad}}`), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'seed']);
    }
  });

  test('task_id: unknown → 400 with the original text; non-string → 422', async () => {
    const r = await post(server.url, '/reset', { task_id: 'extreme' });
    assertError(r, 400, 'VALIDATION_ERROR', 'invalid_task');
    assert.equal(r.body.detail, "Unknown task_id 'extreme'. Valid: ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard', 'breast-cancer', 'iris', 'wine', 'digits']");
    assertError(await post(server.url, '/reset', { task_id: 'Easy' }), 400, 'VALIDATION_ERROR', 'invalid_task');
    assertError(await post(server.url, '/reset', { task_id: 3 }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'task_id']);
  });

  test('custom episode_id: used → 409 episode_exists; bad → 422; "" = generated', async () => {
    const r = await post(server.url, '/reset', { episode_id: 'my-run-1', task_id: 'hard' });
    assert.equal(r.body.episode_id, 'my-run-1');
    assertError(await post(server.url, '/reset', { episode_id: 'my-run-1' }), 409, 'VALIDATION_ERROR', 'episode_exists');
    // Still taken after it finished (now in the store).
    await post(server.url, '/step', { episode_id: 'my-run-1', action: { ...BALANCED, action_type: 'stop' } });
    assertError(await post(server.url, '/reset', { episode_id: 'my-run-1' }), 409, 'VALIDATION_ERROR', 'episode_exists');
    assertError(await post(server.url, '/reset', { episode_id: 5 }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    assertError(await post(server.url, '/reset', { episode_id: 'x'.repeat(256) }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    assertError(await post(server.url, '/reset', { episode_id: 'tab\there' }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    const generated = await post(server.url, '/reset', { episode_id: '' });
    assert.match(generated.body.episode_id, /^[0-9a-f-]{36}$/);
  });

  test('label: ≤ 64 code points, string or null', async () => {
    assert.equal((await post(server.url, '/reset', { label: '🙂'.repeat(64) })).status, 200, '64 code points (128 UTF-16 units) fit');
    assertError(await post(server.url, '/reset', { label: 'x'.repeat(65) }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'label']);
    assertError(await post(server.url, '/reset', { label: 7 }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'label']);
  });

  test('bodies: not an object 422; NaN/Infinity/garbage/invalid UTF-8 → 422 INVALID_JSON; non-JSON type 415; +json types ok', async () => {
    assertError(await post(server.url, '/reset', '[]'), 422, 'VALIDATION_ERROR', 'invalid_request', ['body']);
    assertError(await post(server.url, '/reset', '"easy"'), 422, 'VALIDATION_ERROR', 'invalid_request', ['body']);
    for (const bad of ['{"seed": NaN}', '{"seed": Infinity}', '{"seed": -Infinity}', '{seed: 1}', '{"seed": 1,}']) {
      assertError(await post(server.url, '/reset', bad), 422, 'INVALID_JSON', 'invalid_json');
    }
    assertError(await post(server.url, '/reset', new Uint8Array([0x7b, 0xff, 0x7d])), 422, 'INVALID_JSON', 'invalid_json');
    assertError(await post(server.url, '/reset', '{}', { 'content-type': 'text/plain' }), 415, 'VALIDATION_ERROR', 'unsupported_media_type');
    assertError(await post(server.url, '/reset', '{}', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'VALIDATION_ERROR', 'unsupported_media_type');
    assert.equal((await post(server.url, '/reset', '{}', { 'content-type': 'application/vnd.api+json' })).status, 200);
    assert.equal((await post(server.url, '/reset', '{}', { 'content-type': 'Application/JSON; charset=utf-8' })).status, 200);
  });
});

describe('POST /step', () => {
  test('request shape errors (422 invalid_request) come before the action and the episode', async () => {
    assertError(await post(server.url, '/step'), 422, 'VALIDATION_ERROR', 'invalid_request', ['body']);
    assertError(await post(server.url, '/step', []), 422, 'VALIDATION_ERROR', 'invalid_request', ['body']);
    assertError(await post(server.url, '/step', {}), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'action']);
    assertError(await post(server.url, '/step', { action: BALANCED, episode_id: 3 }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    assertError(await post(server.url, '/step', '{"action": {"action_type": "select_batch", "batch_size": NaN}}'), 422, 'INVALID_JSON', 'invalid_json');
    assertError(await post(server.url, '/step', JSON.stringify({ action: BALANCED }), { 'content-type': 'text/plain' }), 415, 'VALIDATION_ERROR', 'unsupported_media_type');
  });

  test('invalid actions (D5) → 422 invalid_action at body.action…, nothing changes', async () => {
    const id = (await post(server.url, '/reset', { task_id: 'medium', seed: 1 })).body.episode_id;
    const before = (await get(server.url, `/state?episode_id=${id}`)).body;
    const cases: [unknown, unknown[]][] = [
      [{ ...BALANCED, strategy_weights: { greedy: 1 } }, ['body', 'action', 'strategy_weights', 'greedy']],
      [{ ...BALANCED, strategy_weights: { Random: 1 } }, ['body', 'action', 'strategy_weights', 'Random']],
      [{ ...BALANCED, strategy_weights: { random: -1 } }, ['body', 'action', 'strategy_weights', 'random']],
      [{ ...BALANCED, strategy_weights: { random: 0 } }, ['body', 'action', 'strategy_weights']],
      [{ ...BALANCED, strategy_weights: {} }, ['body', 'action', 'strategy_weights']],
      [{ ...BALANCED, strategy_weights: { random: '1' } }, ['body', 'action', 'strategy_weights', 'random']],
      [{ ...BALANCED, strategy_weights: { random: true } }, ['body', 'action', 'strategy_weights', 'random']],
      [{ ...BALANCED, batch_size: '10' }, ['body', 'action', 'batch_size']],
      [{ ...BALANCED, batch_size: 2.5 }, ['body', 'action', 'batch_size']],
      [{ ...BALANCED, batch_size: -1 }, ['body', 'action', 'batch_size']],
      [{ ...BALANCED, action_type: 'explore' }, ['body', 'action', 'action_type']],
      [{ action_type: 'select_batch', strategy_weights: { random: 1 } }, ['body', 'action', 'batch_size']],
      [null, ['body', 'action']],
      ['select', ['body', 'action']],
    ];
    for (const [action, loc] of cases) {
      assertError(await post(server.url, '/step', { episode_id: id, action }), 422, 'VALIDATION_ERROR', 'invalid_action', loc);
    }
    // Overflowing literals and sums are not finite.
    assertError(await post(server.url, '/step', `{"episode_id": "${id}", "action": {"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"random": 1e999}}}`), 422, 'VALIDATION_ERROR', 'invalid_action');
    assertError(await post(server.url, '/step', { episode_id: id, action: { ...BALANCED, strategy_weights: { uncertainty: 1e308, random: 1e308 } } }), 422, 'VALIDATION_ERROR', 'invalid_action', ['body', 'action', 'strategy_weights']);
    assert.deepEqual((await get(server.url, `/state?episode_id=${id}`)).body, before);
    // 10.0 and OpenEnv's metadata key are accepted.
    const ok = await post(server.url, '/step', { episode_id: id, action: { ...BALANCED, batch_size: 10.0, metadata: { a: 1 } }, timeout_s: 5, request_id: 'r' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.step, 1);
  });

  test('episode errors: unknown id 404, finished 400 episode_over (invalid action still 422), stop info is {}', async () => {
    assertError(await post(server.url, '/step', { episode_id: 'no-such-episode', action: BALANCED }), 404, 'NOT_FOUND', 'episode_not_found');
    const id = (await post(server.url, '/reset', { task_id: 'hard' })).body.episode_id;
    const stop = await post(server.url, '/step', { episode_id: id, action: { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } } });
    assert.equal(stop.status, 200);
    assert.deepEqual(stop.body.info, {});
    assert.equal(stop.body.terminated, true);
    assert.equal(stop.body.truncated, false);
    assert.equal(stop.body.done, true);
    const over = await post(server.url, '/step', { episode_id: id, action: BALANCED });
    assertError(over, 400, 'EXECUTION_ERROR', 'episode_over');
    assert.equal(over.body.detail, 'Episode is over. Call POST /reset to start a new episode.');
    assertError(await post(server.url, '/step', { episode_id: id, action: { ...BALANCED, batch_size: -3 } }), 422, 'VALIDATION_ERROR', 'invalid_action');
    // Implicit most recent episode, finished → episode_over too.
    assertError(await post(server.url, '/step', { action: BALANCED }), 400, 'EXECUTION_ERROR', 'episode_over');
    const state = await get(server.url, `/state?episode_id=${id}`);
    assert.equal(state.body.done, true);
    assert.equal(state.body.step_count, 1);
  });

  test('truncated on the max_steps-th step when the budget is not spent', async () => {
    const id = (await post(server.url, '/reset', { task_id: 'hard', seed: 0 })).body.episode_id;
    let last;
    for (let i = 0; i < 8; i++) last = await post(server.url, '/step', { episode_id: id, action: { ...BALANCED, batch_size: 5 } });
    assert.equal(last!.body.done, true);
    assert.equal(last!.body.truncated, true);
    assert.equal(last!.body.terminated, false);
  });
});

describe('GET /state and POST /grader', () => {
  test('state: unknown 404; empty episode_id = most recent; "episode_id": "" in a step body = most recent (§11 item 18)', async () => {
    assertError(await get(server.url, '/state?episode_id=nope'), 404, 'NOT_FOUND', 'episode_not_found');
    const id = (await post(server.url, '/reset', { task_id: 'medium' })).body.episode_id;
    assert.equal((await get(server.url, '/state?episode_id=')).body.episode_id, id);
    const step = await post(server.url, '/step', { episode_id: '', action: BALANCED });
    assert.equal(step.status, 200);
    assert.equal(step.body.episode_id, id);
    const nullId = await post(server.url, '/step', { episode_id: null, action: BALANCED });
    assert.equal(nullId.body.episode_id, id);
    assert.equal(nullId.body.step, 2);
  });

  test('grader errors: 422 fields, 400 unknown task, 404 unfinished/unknown, 400 task mismatch', async () => {
    const id = (await post(server.url, '/reset', { task_id: 'medium' })).body.episode_id;
    assertError(await post(server.url, '/grader', {}), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    // task_id may be omitted or null: the episode's own task (issue 12); it still must be a string when given.
    assertError(await post(server.url, '/grader', { episode_id: id }), 404, 'NOT_FOUND', 'episode_not_finished');
    assertError(await post(server.url, '/grader', { episode_id: id, task_id: null }), 404, 'NOT_FOUND', 'episode_not_finished');
    assertError(await post(server.url, '/grader', { episode_id: id, task_id: 3 }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'task_id']);
    // One issue per bad field.
    const both = await post(server.url, '/grader', { episode_id: 5, task_id: 3 });
    assert.deepEqual(both.body.detail.map((i: { loc: string[] }) => i.loc), [['body', 'episode_id'], ['body', 'task_id']]);
    assertError(await post(server.url, '/grader', { episode_id: 'bad\u0007id' }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    assertError(await post(server.url, '/grader', { episode_id: 5, task_id: 'easy' }), 422, 'VALIDATION_ERROR', 'invalid_request', ['body', 'episode_id']);
    assertError(await post(server.url, '/grader'), 422, 'VALIDATION_ERROR', 'invalid_request');
    assertError(await post(server.url, '/grader', { episode_id: id, task_id: 'zzz' }), 400, 'VALIDATION_ERROR', 'invalid_task');
    const unfinished = await post(server.url, '/grader', { episode_id: id, task_id: 'medium' });
    assertError(unfinished, 404, 'NOT_FOUND', 'episode_not_finished');
    assert.equal(unfinished.body.detail, 'episode_id not found or episode is not finished yet.');
    // An id that names no episode at all is episode_not_found (a running one is episode_not_finished).
    assertError(await post(server.url, '/grader', { episode_id: 'nope', task_id: 'medium' }), 404, 'NOT_FOUND', 'episode_not_found');
    assertError(await post(server.url, '/grader', { episode_id: 'nope' }), 404, 'NOT_FOUND', 'episode_not_found');
    await post(server.url, '/step', { episode_id: id, action: { ...BALANCED, action_type: 'stop' } });
    const mismatch = await post(server.url, '/grader', { episode_id: id, task_id: 'hard' });
    assertError(mismatch, 400, 'VALIDATION_ERROR', 'task_mismatch');
    assert.equal(mismatch.body.detail, "task_id mismatch: episode was 'medium', got 'hard'.");
    const g = await post(server.url, '/grader', { episode_id: id, task_id: 'medium' });
    assert.equal(g.status, 200);
    assert.equal(g.body.score, 0.6, 'stop at once on medium (golden README)');
    assert.equal(g.body.passed, false);
    assert.deepEqual((await post(server.url, '/grader', { episode_id: id })).body, g.body, 'task_id inferred from the episode');
  });
});

/** A raw HTTP/1.1 exchange, to control framing (chunked bodies, oversize bodies). */
function rawPost(path: string, chunks: string[], headers: Record<string, string>): Promise<{ status: number; body: any; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), connection: res.headers.connection }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('limits and framing (§6)', () => {
  test('chunked bodies are accepted', async () => {
    const body = JSON.stringify({ task_id: 'hard', seed: 5 });
    const r = await rawPost('/reset', [body.slice(0, 7), body.slice(7)], { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    assert.equal(r.status, 200);
    assert.equal(r.body.task_id, 'hard');
  });

  test('bodies over MAX_BODY_BYTES → 413 PAYLOAD_TOO_LARGE and the connection is closed (declared or chunked)', async () => {
    const big = JSON.stringify({ label: 'x'.repeat(3000) });
    const declared = await rawPost('/reset', [big], { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) });
    assert.equal(declared.status, 413);
    assert.equal(declared.body.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(declared.body.reason, 'payload_too_large');
    assert.equal(declared.connection, 'close');
    const chunked = await rawPost('/reset', [big.slice(0, 1500), big.slice(1500)], { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.body.reason, 'payload_too_large');
    // The server is still fine.
    assert.equal((await get(server.url, '/health')).status, 200);
  });
});

describe('non-finite numbers never reach the wire (§1)', () => {
  test('a reply holding NaN/Infinity becomes 500 EXECUTION_ERROR internal; toJson refuses them', async () => {
    const { buildApp } = await import('../../src/server/app.ts');
    const { testConfig } = await import('../../src/server/config.ts');
    const { toJson } = await import('../../src/server/body.ts');
    assert.throws(() => toJson({ a: [1, Number.NaN] }), /non-finite/);
    assert.equal(toJson({ r: 0.1 + 0.2, i: 300 }), '{"r":0.30000000000000004,"i":300}', 'shortest round-trip decimals');
    // The engine cannot produce NaN from a valid action, so a probe route stands in for a bug.
    const { app } = await buildApp(testConfig());
    app.get('/nan-probe', async () => ({ reward: { value: Number.POSITIVE_INFINITY } }));
    try {
      const r = await app.inject({ method: 'GET', url: '/nan-probe' });
      assert.equal(r.statusCode, 500);
      assert.deepEqual(JSON.parse(r.body), {
        detail: 'Internal error: the environment produced a non-finite number.',
        code: 'EXECUTION_ERROR',
        reason: 'internal',
      });
      assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'still serving');
    } finally {
      await app.close();
    }
  });
});
