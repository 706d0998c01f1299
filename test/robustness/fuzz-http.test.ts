import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DataSelectEnv } from '../../src/env/env.ts';
import { BALANCED, post, request, startServer, type TestServer } from '../server/helpers.ts';
import { contentTypes, jsonBody, malformedBody, rawBytes } from '../../tools/hostile-inputs.ts';

/** An error reply must be a 4xx with the §5 body; anything else is a success. */
function assertWellFormed(status: number, body: any, what: string): void {
  assert.ok(status < 500, `${what}: status ${status} ${JSON.stringify(body)}`);
  if (status >= 400) {
    assert.equal(typeof body?.code, 'string', `${what}: no code in ${JSON.stringify(body)}`);
    assert.equal(typeof body?.reason, 'string', `${what}: no reason`);
    assert.ok(typeof body.detail === 'string' || Array.isArray(body.detail), `${what}: no detail`);
  }
}

describe('HTTP fuzzing: hostile bodies never crash the server, never 5xx, never disturb another episode', () => {
  let server: TestServer;
  let bystander: { id: string; expected: number[]; t: number };

  before(async () => {
    server = await startServer();
    const r = await post(server.url, '/reset', { task_id: 'medium', seed: 123, episode_id: 'bystander' });
    assert.equal(r.status, 200);
    // A decoy becomes the "most recent" episode, which fuzzed requests without an id act on.
    assert.equal((await post(server.url, '/reset', { task_id: 'easy', seed: 1 })).status, 200);
    const env = new DataSelectEnv();
    env.reset({ task: 'medium', seed: 123 });
    const expected: number[] = [];
    for (;;) {
      const s = env.step(BALANCED);
      expected.push(s.reward);
      if (s.done) break;
    }
    bystander = { id: 'bystander', expected, t: 0 };
  });
  after(() => server.close());

  /** Steps the bystander episode once (while it lasts) and checks the reward against its isolated run. */
  async function stepBystander(): Promise<void> {
    if (bystander.t >= bystander.expected.length) return;
    const r = await post(server.url, '/step', { episode_id: bystander.id, action: BALANCED });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reward.value, bystander.expected[bystander.t]);
    bystander.t++;
  }

  for (const path of ['/step', '/reset', '/grader', '/mcp']) {
    it(`POST ${path}: valid JSON of any shape`, async () => {
      await fc.assert(
        fc.asyncProperty(jsonBody, async (text) => {
          const r = await request(server.url, 'POST', path, text, { 'content-type': 'application/json' });
          if (path === '/mcp') assert.ok([200, 202].includes(r.status), `mcp status ${r.status}`);
          else assertWellFormed(r.status, r.body, `${path} ${text.slice(0, 200)}`);
        }),
        { numRuns: 60 },
      );
      await stepBystander();
    });
  }

  it('POST /step: malformed JSON (NaN/Infinity literals, truncation, deep nesting) → 422 INVALID_JSON', async () => {
    await fc.assert(
      fc.asyncProperty(malformedBody, async (text) => {
        const r = await request(server.url, 'POST', '/step', text, { 'content-type': 'application/json' });
        assertWellFormed(r.status, r.body, text.slice(0, 100));
        if (text.includes('NaN') || text.includes('Infinity')) {
          assert.equal(r.status, 422);
          assert.equal(r.body.code, 'INVALID_JSON');
        }
      }),
      { numRuns: 80 },
    );
    await stepBystander();
  });

  it('raw bytes and invalid UTF-8, under every content type', async () => {
    await fc.assert(
      fc.asyncProperty(rawBytes, contentTypes, async (bytes, type) => {
        const r = await request(server.url, 'POST', '/step', bytes, { 'content-type': type });
        assertWellFormed(r.status, r.body, `${type} ${bytes.length} bytes`);
        // An empty body is no body at all: the content type only matters when there is one.
        if (!type.includes('json') && bytes.length > 0) assert.equal(r.status, 415);
      }),
      { numRuns: 60 },
    );
    await stepBystander();
  });

  it('huge bodies answer 413 PAYLOAD_TOO_LARGE and the server keeps serving', async () => {
    const big = JSON.stringify({ action: { ...BALANCED, pad: 'x'.repeat(200_000) } });
    const r = await request(server.url, 'POST', '/step', big, { 'content-type': 'application/json' });
    assert.equal(r.status, 413);
    assert.equal(r.body.code, 'PAYLOAD_TOO_LARGE');
    await stepBystander();
  });

  it('query parameters of any shape on GET /state and GET /episodes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (a, b) => {
        const r1 = await request(server.url, 'GET', `/state?episode_id=${encodeURIComponent(a)}`);
        assertWellFormed(r1.status, r1.body, `state ${a}`);
        const r2 = await request(server.url, 'GET', `/episodes?limit=${encodeURIComponent(a)}&before=${encodeURIComponent(b)}&task_id=${encodeURIComponent(b)}`);
        assertWellFormed(r2.status, r2.body, `episodes ${a} ${b}`);
      }),
      { numRuns: 60 },
    );
  });

  it('the bystander episode ran to the end with its isolated numbers', async () => {
    while (bystander.t < bystander.expected.length) await stepBystander();
    const g = await post(server.url, '/grader', { episode_id: 'bystander', task_id: 'medium' });
    assert.equal(g.status, 200);
    const h = await request(server.url, 'GET', '/health');
    assert.equal(h.body.status, 'healthy');
  });
});
