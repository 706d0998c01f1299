/**
 * Issue 13 item 5: opt-in API keys and episode isolation, replaying the findings: the implicit
 * "most recent episode" let any client read and stop another's episode; /episodes listed
 * everyone's; any caller could step another MCP session's episode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/server/config.ts';
import { KeyRing, keyId } from '../../../src/server/security/auth.ts';
import { BALANCED, post, request, withServer, WsClient } from '../helpers.ts';

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef00';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const STOP = { action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } };

describe('API keys', () => {
  test('every route but /health needs a valid key: 401 with the standard body; the key is checked in constant time', async () => {
    await withServer({ API_KEYS: `${ALICE},${BOB}` }, async (server) => {
      assert.equal((await request(server.url, 'GET', '/health')).status, 200);
      for (const [method, p] of [['GET', '/tasks'], ['POST', '/reset'], ['GET', '/episodes'], ['GET', '/metrics'], ['POST', '/mcp'], ['GET', '/state']] as const) {
        const missing = await request(server.url, method, p, method === 'POST' ? {} : undefined);
        assert.equal(missing.status, 401, p);
        assert.deepEqual(missing.body, {
          detail: 'An API key is required: send Authorization: Bearer <key> (WebSocket: or ?token=<key>).',
          code: 'UNAUTHORIZED',
          reason: 'missing_api_key',
        });
        assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
        const wrong = await request(server.url, method, p, method === 'POST' ? {} : undefined, bearer(`${ALICE}x`));
        assert.equal(wrong.status, 401);
        assert.equal(wrong.body.reason, 'invalid_api_key');
      }
      assert.equal((await request(server.url, 'GET', '/tasks', undefined, bearer(ALICE))).status, 200);
      assert.equal((await request(server.url, 'GET', '/tasks', undefined, { authorization: `bearer   ${BOB}` })).status, 200);
      // A query token is for WebSocket upgrades only (it would end up in logs and caches elsewhere).
      assert.equal((await request(server.url, 'GET', `/tasks?token=${ALICE}`)).status, 401);
    });
  });

  test('WebSocket: the Authorization header or ?token=; none or a wrong one is refused before the upgrade', async () => {
    await withServer({ API_KEYS: ALICE }, async (server) => {
      const byToken = await WsClient.connect(`${server.wsUrl}/ws?token=${ALICE}`);
      assert.equal((await byToken.request({ type: 'reset' })).type, 'observation');
      byToken.close();
      const opened = await new Promise<string | number>((resolve) => {
        const s = new WebSocket(`${server.wsUrl}/mcp`, { headers: bearer(ALICE) });
        s.on('error', () => {});
        s.once('open', () => (s.close(), resolve('open')));
        s.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      });
      assert.equal(opened, 'open');
      for (const url of [`${server.wsUrl}/ws`, `${server.wsUrl}/ws?token=nope-nope-nope-nope`]) {
        const status = await new Promise<string | number>((resolve) => {
          const s = new WebSocket(url);
          s.on('error', () => {});
          s.once('open', () => (s.close(), resolve('open')));
          s.once('unexpected-response', (_q, res) => (resolve(res.statusCode ?? 0), s.terminate()));
        });
        assert.equal(status, 401, url);
      }
    });
  });

  test('keys: at least 16 characters; API_KEYS_FILE with comments; ids are digests, never the key', () => {
    assert.throws(() => loadConfig({ API_KEYS: 'short' }), /at least 16 characters/);
    const dir = mkdtempSync(path.join(tmpdir(), 'dse-keys-'));
    try {
      const file = path.join(dir, 'keys');
      writeFileSync(file, `# trainers\n${ALICE}\n\n  ${BOB}  \n`);
      const c = loadConfig({ API_KEYS_FILE: file });
      assert.deepEqual(c.apiKeys, [ALICE, BOB]);
      assert.equal(c.episodeIsolation, true, 'on by default with keys');
      assert.equal(loadConfig({ API_KEYS_FILE: file, EPISODE_ISOLATION: '0' }).episodeIsolation, false);
      assert.throws(() => loadConfig({ API_KEYS_FILE: path.join(dir, 'missing') }), /API_KEYS_FILE .*missing cannot be read \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(loadConfig({}).episodeIsolation, false);
    const ring = new KeyRing([ALICE, BOB]);
    assert.equal(ring.verify(ALICE), keyId(ALICE));
    assert.equal(ring.verify(BOB.slice(0, -1)), null);
    assert.match(keyId(ALICE), /^[0-9a-f]{16}$/);
    assert.ok(!ALICE.includes(keyId(ALICE)));
  });
});

describe('episode isolation', () => {
  test("a key cannot read, step, stop, grade or list another key's episodes; the most recent episode is per key", async () => {
    await withServer({ API_KEYS: `${ALICE},${BOB}` }, async (server) => {
      const a = (await post(server.url, '/reset', { task_id: 'easy', seed: 1 }, bearer(ALICE))).body.episode_id;
      // Bob's implicit /state and /step do not reach Alice's episode (the finding: read and stop it).
      const bobState = await request(server.url, 'GET', '/state', undefined, bearer(BOB));
      assert.equal(bobState.body.episode_id, null);
      const bobStop = await post(server.url, '/step', { action: STOP }, bearer(BOB));
      assert.equal(bobStop.status, 400);
      assert.equal(bobStop.body.reason, 'no_episode');
      // Named, it is unknown to Bob.
      assert.equal((await post(server.url, '/step', { episode_id: a, action: STOP }, bearer(BOB))).body.reason, 'episode_not_found');
      assert.equal((await request(server.url, 'GET', `/state?episode_id=${a}`, undefined, bearer(BOB))).status, 404);
      // Alice's implicit step still works and finishes her episode.
      assert.equal((await post(server.url, '/step', { action: BALANCED }, bearer(ALICE))).status, 200);
      assert.equal((await post(server.url, '/step', { action: STOP }, bearer(ALICE))).body.done, true);
      assert.equal((await post(server.url, '/grader', { episode_id: a, task_id: 'easy' }, bearer(BOB))).body.reason, 'episode_not_found');
      assert.equal((await post(server.url, '/grader', { episode_id: a, task_id: 'easy' }, bearer(ALICE))).status, 200);
      assert.equal((await request(server.url, 'GET', `/episodes/${a}`, undefined, bearer(BOB))).status, 404);
      assert.equal((await request(server.url, 'GET', `/episodes/${a}`, undefined, bearer(ALICE))).status, 200);
      assert.equal((await request(server.url, 'GET', `/state?episode_id=${a}`, undefined, bearer(BOB))).status, 404);
      const b = (await post(server.url, '/reset', { task_id: 'easy', seed: 2 }, bearer(BOB))).body.episode_id;
      await post(server.url, '/step', { episode_id: b, action: STOP }, bearer(BOB));
      const listed = async (key: string) => (await request(server.url, 'GET', '/episodes', undefined, bearer(key))).body.episodes.map((e: any) => e.episode_id);
      assert.deepEqual(await listed(ALICE), [a]);
      assert.deepEqual(await listed(BOB), [b]);
      // The store keeps the key's id, never the key.
      const stored = await server.store.getSummary(a);
      assert.equal(stored?.owner_key, keyId(ALICE));
    });
  });

  test('MCP sessions: usable and closable only with the key that created them', async () => {
    await withServer({ API_KEYS: `${ALICE},${BOB}` }, async (server) => {
      const rpc = (key: string, method: string, params: Record<string, unknown> = {}) =>
        post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method, params }, bearer(key));
      const sid = (await rpc(ALICE, 'openenv/session/create')).body.result.session_id;
      assert.match((await rpc(BOB, 'tools/list', { session_id: sid })).body.error.message, /Unknown session_id/);
      assert.match((await rpc(BOB, 'openenv/session/close', { session_id: sid })).body.error.message, /Unknown session_id/);
      assert.ok((await rpc(ALICE, 'tools/list', { session_id: sid })).body.result.tools);
      assert.equal((await rpc(ALICE, 'openenv/session/close', { session_id: sid })).body.result.closed, true);
    });
  });

  test("without keys too: an MCP session's episode is stepped only through that session", async () => {
    await withServer({}, async (server) => {
      const rpc = (method: string, params: Record<string, unknown> = {}) => post(server.url, '/mcp', { jsonrpc: '2.0', id: 1, method, params });
      const sid = (await rpc('openenv/session/create')).body.result.session_id;
      const started = (await rpc('tools/call', { name: 'start_episode', arguments: { task_id: 'easy' }, session_id: sid })).body.result.data;
      const id = started.episode_id;
      const byHttp = await post(server.url, '/step', { episode_id: id, action: STOP });
      assert.equal(byHttp.status, 404);
      const other = (await rpc('openenv/session/create')).body.result.session_id;
      const byOther = (await rpc('tools/call', { name: 'take_action', arguments: { ...STOP, episode_id: id }, session_id: other })).body.result.data;
      assert.equal(byOther.error.reason, 'episode_not_found');
      const sessionless = (await rpc('tools/call', { name: 'take_action', arguments: { ...STOP, episode_id: id } })).body.result.data;
      assert.equal(sessionless.error.reason, 'episode_not_found');
      const own = (await rpc('tools/call', { name: 'take_action', arguments: { ...BALANCED }, session_id: sid })).body.result.data;
      assert.equal(own.step, 1);
      const ownById = (await rpc('tools/call', { name: 'take_action', arguments: { ...STOP, episode_id: id }, session_id: sid })).body.result.data;
      assert.equal(ownById.done, true);
    });
  });

  test('EPISODE_ISOLATION=0 with keys: keys authenticate, episodes are shared as without keys', async () => {
    await withServer({ API_KEYS: `${ALICE},${BOB}`, EPISODE_ISOLATION: '0' }, async (server) => {
      const a = (await post(server.url, '/reset', { task_id: 'easy' }, bearer(ALICE))).body.episode_id;
      assert.equal((await request(server.url, 'GET', '/state', undefined, bearer(BOB))).body.episode_id, a);
    });
  });
});
