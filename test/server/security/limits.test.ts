/**
 * Issue 13 item 7: per-client rate limits (429 with Retry-After, standard body) and per-client
 * caps, replaying the findings: one client's resets evicted every live HTTP episode; one
 * client's `openenv/session/create` calls locked every WebSocket out. Clients are told apart by
 * address (X-Forwarded-For with TRUST_PROXY, since every test client is on the loopback).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/server/config.ts';
import { BALANCED, post, request, startServer, withServer, WsClient } from '../helpers.ts';

const as = (ip: string) => ({ 'x-forwarded-for': ip });

describe('rate limits', () => {
  test('beyond RATE_LIMIT_MAX per window a client gets 429 with Retry-After; others and probes are unaffected', async () => {
    await withServer({ RATE_LIMIT_MAX: 5, RATE_LIMIT_WINDOW_S: 60, RATE_LIMIT_EXEMPT: '', TRUST_PROXY: '1' }, async (server) => {
      for (let i = 0; i < 5; i++) assert.equal((await request(server.url, 'GET', '/tasks', undefined, as('10.0.0.1'))).status, 200);
      const limited = await request(server.url, 'GET', '/tasks', undefined, as('10.0.0.1'));
      assert.equal(limited.status, 429);
      assert.deepEqual(Object.keys(limited.body).sort(), ['code', 'detail', 'reason']);
      assert.equal(limited.body.code, 'RATE_LIMITED');
      assert.equal(limited.body.reason, 'rate_limited');
      assert.match(limited.body.detail, /at most 5 per 60 s per client/);
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
      assert.equal((await request(server.url, 'GET', '/tasks', undefined, as('10.0.0.2'))).status, 200);
      assert.equal((await request(server.url, 'GET', '/health', undefined, as('10.0.0.1'))).status, 200);
      // WebSocket upgrades count too.
      const refused = await fetch(`${server.url}/ws`, { headers: as('10.0.0.1') });
      assert.equal(refused.status, 429);
    });
  });

  test('the default never limits loopback clients (benchmarks, local trainers)', async () => {
    const server = await startServer({ RATE_LIMIT_MAX: 3 });
    try {
      for (let i = 0; i < 20; i++) assert.equal((await request(server.url, 'GET', '/tasks')).status, 200);
    } finally {
      await server.close();
    }
    const d = loadConfig({});
    assert.deepEqual([d.rateLimitMax, d.rateLimitWindowS, d.rateLimitExempt], [20000, 60, ['loopback']]);
  });
});

describe('per-client caps', () => {
  test("one client's resets evict only its own live HTTP episodes", async () => {
    await withServer({ MAX_CONCURRENT_ENVS: 8, TRUST_PROXY: '1' }, async (server) => {
      const victims: string[] = [];
      for (let i = 0; i < 3; i++) victims.push((await post(server.url, '/reset', { seed: i }, as('10.0.0.2'))).body.episode_id);
      for (let i = 0; i < 60; i++) assert.equal((await post(server.url, '/reset', { seed: i }, as('10.0.0.1'))).status, 200);
      for (const id of victims) {
        // Still in memory (not just recoverable from the store's log).
        assert.ok(server.service.sessions.getLive(id), `${id} was evicted`);
        const r = await post(server.url, '/step', { episode_id: id, action: BALANCED }, as('10.0.0.2'));
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      // The flooding client keeps at most its share (half the pool by default).
      assert.equal(server.service.sessions.pooledEpisodes, 3 + 4);
    });
  });

  test("one client's openenv/session/create calls cannot lock out the WebSockets of others", async () => {
    await withServer({ MAX_CONCURRENT_ENVS: 8, TRUST_PROXY: '1' }, async (server) => {
      const create = (ip: string) =>
        post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method: 'openenv/session/create', params: {} }, as(ip));
      const answers = [];
      for (let i = 0; i < 32; i++) answers.push((await create('10.0.0.1')).body);
      assert.equal(answers.filter((a) => a.result?.session_id).length, 4);
      const refused = answers.find((a) => a.error);
      assert.equal(refused.error.code, -32000);
      assert.match(refused.error.message, /session limit \(4 sessions per client/);
      assert.deepEqual(refused.error.data, { client_sessions: 4, max_sessions_per_client: 4 });
      // Another client still gets a WebSocket and an MCP session.
      const other = await WsClient.connect(`${server.wsUrl}/ws`);
      assert.equal((await other.request({ type: 'reset' })).type, 'observation');
      other.close();
      assert.ok((await create('10.0.0.3')).body.result.session_id);
    });
  });

  test('a client at its WebSocket share gets one CAPACITY_REACHED frame naming the per-client limit', async () => {
    await withServer({ MAX_CONCURRENT_ENVS: 4, MAX_SESSIONS_PER_CLIENT: 1 }, async (server) => {
      const first = await WsClient.connect(`${server.wsUrl}/ws`);
      const second = await WsClient.connect(`${server.wsUrl}/ws`);
      const frame = await second.next();
      assert.equal(frame.data.code, 'CAPACITY_REACHED');
      assert.match(frame.data.message, /1 sessions per client/);
      assert.equal((await second.closed).code, 1013);
      first.close();
    });
  });
});
