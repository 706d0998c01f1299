/**
 * Issue 13 item 6: CORS allow-list (same origin only by default), requests and WebSocket upgrades
 * with a disallowed Origin refused, Host allow-list against DNS rebinding on a loopback bind.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { startServer, withServer, WsClient } from '../helpers.ts';
import { eventually } from './raw.ts';

const EVIL = 'http://evil.example';

/** GET with an arbitrary Host header (fetch cannot set Host). */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; body: any }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket with an Origin; resolves 'open' or the refusing HTTP status. */
function wsWithOrigin(url: string, origin: string): Promise<string | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { origin });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', () => resolve('error'));
  });
}

describe('default policy: same origin only', () => {
  test('a foreign Origin is refused with 403 and no CORS headers; same origin and no Origin pass', async () => {
    await withServer({}, async (server) => {
      const foreign = await fetch(`${server.url}/health`, { headers: { origin: EVIL } });
      assert.equal(foreign.status, 403);
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
      assert.deepEqual(await foreign.json(), {
        detail: `Origin '${EVIL}' is not allowed (CORS_ORIGINS).`,
        code: 'FORBIDDEN',
        reason: 'origin_not_allowed',
      });
      const same = await fetch(`${server.url}/health`, { headers: { origin: server.url } });
      assert.equal(same.status, 200);
      assert.equal(same.headers.get('access-control-allow-origin'), null);
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      // A page's "simple" POST (no preflight: a Blob body has no content type) cannot start an episode.
      const csrf = await fetch(`${server.url}/reset`, { method: 'POST', headers: { origin: EVIL }, body: new Blob(['{}']) });
      assert.equal(csrf.status, 403);
      assert.equal(server.service.sessions.liveEpisodes, 0);
      const opaque = await fetch(`${server.url}/health`, { headers: { origin: 'null' } });
      assert.equal(opaque.status, 403);
    });
  });

  test('WebSocket upgrades from a foreign Origin are refused (403); same origin and none are accepted', async () => {
    await withServer({}, async (server) => {
      for (const path of ['/ws', '/mcp']) {
        assert.equal(await wsWithOrigin(`${server.wsUrl}${path}`, EVIL), 403, path);
        assert.equal(await wsWithOrigin(`${server.wsUrl}${path}`, server.url), 'open', path);
      }
      assert.ok(await eventually(() => server.service.sessions.activeSessions === 0), 'refused upgrades hold no session');
      const plain = await WsClient.connect(`${server.wsUrl}/ws`);
      assert.equal((await plain.request({ type: 'reset' })).type, 'observation');
      plain.close();
    });
  });
});

describe('CORS_ORIGINS allow-list', () => {
  test('listed origins get CORS headers and preflights; others are refused', async () => {
    await withServer({ CORS_ORIGINS: 'http://console.example, https://app.example:8443' }, async (server) => {
      const ok = await fetch(`${server.url}/tasks`, { headers: { origin: 'http://console.example' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'http://console.example');
      assert.match(ok.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
      const pre = await fetch(`${server.url}/step`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example:8443', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example:8443');
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.equal((await fetch(`${server.url}/tasks`, { headers: { origin: EVIL } })).status, 403);
      assert.equal(await wsWithOrigin(`${server.wsUrl}/ws`, 'http://console.example'), 'open');
      assert.equal(await wsWithOrigin(`${server.wsUrl}/ws`, EVIL), 403);
    });
  });

  test('an entry that is not an origin stops the configuration', async () => {
    await assert.rejects(startServer({ CORS_ORIGINS: 'console.example' }), /CORS_ORIGINS entries must be origins/);
  });
});

describe('Host allow-list (DNS rebinding)', () => {
  test('bound to the loopback: only loopback names are served by default', async () => {
    await withServer({}, async (server) => {
      const port = new URL(server.url).port;
      const rebound = await getWithHost(server.url, '/health', `attacker.example:${port}`);
      assert.equal(rebound.status, 403);
      assert.equal(rebound.body.reason, 'host_not_allowed');
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
        assert.equal((await getWithHost(server.url, '/health', host)).status, 200, host);
      }
    });
  });

  test('ALLOWED_HOSTS replaces the list; * serves any Host', async () => {
    const listed = await startServer({ ALLOWED_HOSTS: 'env.example' });
    const any = await startServer({ ALLOWED_HOSTS: '*' });
    try {
      assert.equal((await getWithHost(listed.url, '/health', 'env.example')).status, 200);
      assert.equal((await getWithHost(listed.url, '/health', 'localhost')).status, 403);
      assert.equal((await getWithHost(any.url, '/health', 'attacker.example')).status, 200);
    } finally {
      await listed.close();
      await any.close();
    }
  });
});
