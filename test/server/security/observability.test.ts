/**
 * Issue 13 item 8: X-Request-Id accepted (when well-formed) or generated, returned and on the
 * log lines of its request; the access log; Prometheus /metrics; client protocol violations
 * logged at warn without stacks and rate-limited.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { buildApp } from '../../../src/server/app.ts';
import { testConfig, type ConfigInput } from '../../../src/server/config.ts';
import { BALANCED, post, request, withServer } from '../helpers.ts';
import { eventually } from './raw.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A server whose JSON log lines are collected in `lines`. */
async function loggedServer(overrides: ConfigInput = {}) {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const handle = await buildApp(testConfig({ LOG_LEVEL: 'info', ...overrides }), { logStream: stream });
  await handle.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = handle.app.server.address() as { port: number };
  return { ...handle, lines, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` };
}

describe('request ids', () => {
  test('a well-formed X-Request-Id is kept; a missing or malformed one is replaced by a UUID; errors carry it too', async () => {
    await withServer({}, async (server) => {
      assert.equal((await request(server.url, 'GET', '/health', undefined, { 'x-request-id': 'trace-42.a:b' })).headers.get('x-request-id'), 'trace-42.a:b');
      assert.match((await request(server.url, 'GET', '/health')).headers.get('x-request-id') ?? '', UUID);
      for (const bad of ['has space', 'x'.repeat(129), 'semi;colon']) {
        assert.match((await request(server.url, 'GET', '/health', undefined, { 'x-request-id': bad })).headers.get('x-request-id') ?? '', UUID, bad);
      }
      const notFound = await request(server.url, 'GET', '/nope', undefined, { 'x-request-id': 'nf-1' });
      assert.equal(notFound.status, 404);
      assert.equal(notFound.headers.get('x-request-id'), 'nf-1');
    });
  });

  test('ACCESS_LOG=1: one line per response with the request id, path without the query (tokens stay out)', async () => {
    const server = await loggedServer({ ACCESS_LOG: '1' });
    try {
      await request(server.url, 'GET', '/state?episode_id=abc&token=secret-token-value', undefined, { 'x-request-id': 'acc-1' });
      assert.ok(await eventually(() => server.lines.some((l) => l.msg === 'request' && l.reqId === 'acc-1')));
      const line = server.lines.find((l) => l.msg === 'request' && l.reqId === 'acc-1');
      assert.equal(line.method, 'GET');
      assert.equal(line.path, '/state');
      assert.equal(line.status, 404);
      assert.equal(typeof line.ms, 'number');
      assert.ok(!JSON.stringify(server.lines).includes('secret-token-value'));
    } finally {
      await server.app.close();
    }
    const quiet = await loggedServer();
    try {
      await request(quiet.url, 'GET', '/health');
      assert.equal(quiet.lines.filter((l) => l.msg === 'request').length, 0, 'no access log by default');
    } finally {
      await quiet.app.close();
    }
  });
});

describe('metrics', () => {
  test('/metrics: requests by route pattern and status, latency, sessions, live episodes, steps, store writes, rejections', async () => {
    await withServer({}, async (server) => {
      const id = (await post(server.url, '/reset', { task_id: 'easy' })).body.episode_id;
      await post(server.url, '/step', { episode_id: id, action: BALANCED });
      await request(server.url, 'GET', `/episodes/${encodeURIComponent('no-such-episode')}`);
      await request(server.url, 'GET', '/health', undefined, { origin: 'http://evil.example' });
      const r = await fetch(`${server.url}/metrics`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await r.text();
      const value = (series: string) => {
        const line = text.split('\n').find((l) => l.startsWith(series + ' '));
        return line === undefined ? undefined : Number(line.slice(series.length + 1));
      };
      assert.equal(value('dse_http_requests_total{method="POST",route="/reset",status="200"}'), 1);
      assert.equal(value('dse_http_requests_total{method="GET",route="/episodes/:id",status="404"}'), 1, 'route pattern, not the raw URL');
      assert.equal(value('dse_http_request_duration_seconds_count{method="POST",route="/step"}'), 1);
      assert.equal(value('dse_steps_total{transport="http"}'), 1);
      assert.equal(value('dse_live_episodes'), 1);
      assert.equal(value('dse_active_sessions'), 0);
      assert.equal(value('dse_rejected_requests_total{reason="origin_not_allowed"}'), 1);
      assert.ok(text.includes('dse_process_resident_memory_bytes'));
      // Finishing the episode writes it to the store: timed.
      await post(server.url, '/step', { episode_id: id, action: { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } } });
      const after = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(after, /dse_store_write_duration_seconds_count\{outcome="ok"\} [1-9]/);
      assert.match(after, /dse_live_episodes 0/);
    });
  });

  test('METRICS=0 removes the route', async () => {
    await withServer({ METRICS: '0' }, async (server) => {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
    });
  });
});

describe('protocol violations', () => {
  test('bad WebSocket frames: warn level, message only, no stack, at most a burst per window', async () => {
    const server = await loggedServer();
    try {
      for (let i = 0; i < 30; i++) {
        const ws = new WebSocket(`${server.wsUrl}/ws`);
        await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
        const closed = new Promise((r) => ws.once('close', r));
        // A masked frame with RSV1 set and no extension negotiated: a protocol error.
        (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0xc1, 0x80, 1, 2, 3, 4]));
        await closed;
      }
      assert.ok(await eventually(() => server.lines.filter((l) => l.msg === 'WebSocket protocol violation').length >= 20));
      await new Promise((r) => setTimeout(r, 100));
      const violations = server.lines.filter((l) => l.msg === 'WebSocket protocol violation');
      assert.equal(violations.length, 20, 'rate-limited to the burst');
      for (const v of violations) {
        assert.equal(v.level, 40);
        assert.match(v.error, /RSV1 must be clear/);
        assert.equal(v.err, undefined);
        assert.ok(!JSON.stringify(v).includes('    at '), 'no stack trace');
      }
      assert.equal(server.lines.filter((l) => l.level >= 50).length, 0, 'nothing at error level');
    } finally {
      await server.app.close();
    }
  });
});
