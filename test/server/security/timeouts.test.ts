/**
 * Issue 13 item 3: timeouts that apply. Slow bodies (Content-Length and chunked) are cut off with
 * a 408 within the request timeout, half-sent headers and idle keep-alive connections are closed,
 * dead WebSocket peers are terminated, and shutdown finishes by its deadline despite a stalled client.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/server/config.ts';
import { startServer, withServer, WsClient } from '../helpers.ts';
import { firstResponse, rawConnect, trickle } from './raw.ts';

const HEAD = (extra: string) => `POST /reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n`;

function assertTimeoutReply(text: string) {
  const r = firstResponse(text);
  assert.equal(r.status, 408, text);
  assert.deepEqual(r.body, {
    detail: 'The request (headers and body) did not arrive within 1.5 s.',
    code: 'TIMEOUT',
    reason: 'request_timeout',
  });
}

describe('request timeouts', () => {
  test('a trickled Content-Length body is cut off with 408 within the request timeout', async () => {
    await withServer({ REQUEST_TIMEOUT_S: 1.5, HEADERS_TIMEOUT_S: 1 }, async (server) => {
      const c = await rawConnect(server.url);
      c.socket.write(HEAD('Content-Length: 1000\r\n'));
      void trickle(c.socket, ' ', 100, 100); // 10 s of trickle if nobody stops it
      const r = await c.ended(6000);
      assert.ok(r.closed, `still open after ${r.afterMs} ms`);
      assert.ok(r.afterMs >= 1400 && r.afterMs < 3500, `closed after ${r.afterMs} ms`);
      assertTimeoutReply(r.text);
    });
  });

  test('a trickled chunked body is cut off the same way', async () => {
    await withServer({ REQUEST_TIMEOUT_S: 1.5, HEADERS_TIMEOUT_S: 1 }, async (server) => {
      const c = await rawConnect(server.url);
      c.socket.write(HEAD('Transfer-Encoding: chunked\r\n'));
      void trickle(c.socket, '1\r\n \r\n', 100, 100);
      const r = await c.ended(6000);
      assert.ok(r.closed, `still open after ${r.afterMs} ms`);
      assert.ok(r.afterMs < 3500, `closed after ${r.afterMs} ms`);
      assertTimeoutReply(r.text);
    });
  });

  test('a connection that sends one byte of headers is closed after the headers timeout', async () => {
    await withServer({ REQUEST_TIMEOUT_S: 1.5, HEADERS_TIMEOUT_S: 0.5 }, async (server) => {
      const c = await rawConnect(server.url);
      c.socket.write('G');
      const r = await c.ended(5000);
      assert.ok(r.closed && r.afterMs < 2500, `closed: ${r.closed} after ${r.afterMs} ms`);
      assert.equal(firstResponse(r.text).status, 408);
    });
  });

  test('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_S; a quick one is served', async () => {
    await withServer({ KEEP_ALIVE_TIMEOUT_S: 0.5 }, async (server) => {
      const c = await rawConnect(server.url);
      c.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const r = await c.ended(5000);
      assert.ok(r.closed && r.afterMs < 2500, `closed: ${r.closed} after ${r.afterMs} ms`);
      assert.equal(firstResponse(r.text).status, 200);
      assert.match(firstResponse(r.text).headers, /keep-alive: timeout=0/i);
    });
  });
});

describe('WebSocket liveness', () => {
  test('a peer that never answers pings is terminated and its session released; a live one stays', async () => {
    await withServer({ WS_PING_INTERVAL_S: 0.2 }, async (server) => {
      const live = await WsClient.connect(`${server.wsUrl}/ws`);
      const dead = new WebSocket(`${server.wsUrl}/ws`, { autoPong: false });
      await new Promise((r, j) => (dead.once('open', r), dead.once('error', j)));
      const deadClosed = new Promise<number>((r) => dead.once('close', (code) => r(code)));
      assert.equal(server.service.sessions.activeSessions, 2);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([deadClosed, new Promise<string>((r) => (timer = setTimeout(() => r('still open'), 3000)))]);
      clearTimeout(timer);
      assert.equal(code, 1006, 'terminated without a close frame');
      // The server runs its close path on its own side of the socket: give it a moment.
      for (let i = 0; i < 50 && (server.service.sessions.activeSessions as number) !== 1; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(server.service.sessions.activeSessions, 1);
      assert.equal(live.socket.readyState, WebSocket.OPEN);
      assert.equal((await live.request({ type: 'state' })).type, 'state');
      live.close();
    });
  });
});

describe('shutdown deadline', () => {
  test('shutdown with a stalled upload finishes within SHUTDOWN_TIMEOUT_S and closes it', async () => {
    const server = await startServer({ REQUEST_TIMEOUT_S: 0, SHUTDOWN_TIMEOUT_S: 0.5 });
    const c = await rawConnect(server.url);
    c.socket.write(HEAD('Content-Length: 1000\r\n'));
    c.socket.write('{');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      server.shutdown().then(() => 'closed'),
      new Promise<string>((r) => (timer = setTimeout(() => r('still waiting'), 5000))),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, 'closed');
    const took = Date.now() - started;
    assert.ok(took >= 400 && took < 2500, `shutdown took ${took} ms`);
    assert.ok((await c.ended(1000)).closed);
    c.socket.destroy();
  });
});

describe('configuration', () => {
  test('defaults, and HEADERS_TIMEOUT_S may not exceed REQUEST_TIMEOUT_S', () => {
    const d = loadConfig({});
    assert.deepEqual(
      [d.requestTimeoutS, d.headersTimeoutS, d.keepAliveTimeoutS, d.wsPingIntervalS, d.shutdownTimeoutS],
      [30, 10, 72, 30, 10],
    );
    assert.equal(loadConfig({ REQUEST_TIMEOUT_S: '4' }).headersTimeoutS, 4);
    assert.throws(() => loadConfig({ REQUEST_TIMEOUT_S: '5', HEADERS_TIMEOUT_S: '6' }), /HEADERS_TIMEOUT_S \(6\) must not exceed REQUEST_TIMEOUT_S \(5\)/);
    assert.throws(() => loadConfig({ KEEP_ALIVE_TIMEOUT_S: 'soon' }), /KEEP_ALIVE_TIMEOUT_S must be a number/);
  });
});
