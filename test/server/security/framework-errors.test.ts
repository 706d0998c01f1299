/**
 * Issue 13 item 9: errors raised by the HTTP parser and the router use the `{detail, code,
 * reason}` body like every other error, and JSON-RPC ids are echoed exactly as sent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WsClient, serverForSuite } from '../helpers.ts';
import { firstResponse, rawConnect } from './raw.ts';

const server = serverForSuite();

async function raw(bytes: string) {
  const c = await rawConnect(server.url);
  c.socket.write(bytes);
  const r = await c.ended(3000);
  c.socket.destroy();
  return firstResponse(r.text);
}

function assertProblem(r: { status: number; body: any }, status: number, reason: string) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body ?? {}).sort(), ['code', 'detail', 'reason'], JSON.stringify(r.body));
  assert.equal(r.body.reason, reason);
  assert.equal(typeof r.body.detail, 'string');
}

describe('framework-level errors in the standard shape', () => {
  test('431: headers larger than the parser allows', async () => {
    assertProblem(await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large');
  });

  test('414: an over-long path parameter', async () => {
    const r = await fetch(`${server.url}/episodes/${'a'.repeat(2000)}`);
    assertProblem({ status: r.status, body: await r.json() }, 414, 'uri_too_long');
  });

  test('400: bad percent-encoding in the path', async () => {
    const r = await fetch(`${server.url}/episodes/%E0%A4%A`);
    assertProblem({ status: r.status, body: await r.json() }, 400, 'invalid_url');
  });

  test('400: Content-Length together with Transfer-Encoding (request smuggling shape)', async () => {
    const r = await raw('POST /reset HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assertProblem(r, 400, 'malformed_request');
  });

  test('400: a request line that is not HTTP', async () => {
    assertProblem(await raw('HELLO THERE\r\n\r\n'), 400, 'malformed_request');
  });
});

describe('JSON-RPC ids echoed exactly', () => {
  const BIG = '12345678901234567890123';
  const call = (id: string) => `{"jsonrpc": "2.0", "id": ${id}, "method": "ping"}`;

  test('POST /mcp: integer ids beyond 2^53, and their exact spelling', async () => {
    for (const id of [BIG, '9007199254740993', '-9007199254740993', '1.0', '7']) {
      const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call(id) });
      const text = await r.text();
      assert.match(text, new RegExp(`"id":${id.replace('.', '\\.')}[,}]`), text);
      assert.deepEqual(JSON.parse(text).result, {});
    }
  });

  test('WebSocket /mcp and {"type": "mcp"} on /ws', async () => {
    const mcp = await WsClient.connect(`${server.wsUrl}/mcp`);
    const texts: string[] = [];
    mcp.socket.on('message', (d) => texts.push(d.toString()));
    await mcp.request(call(BIG));
    assert.match(texts[0], new RegExp(`"id":${BIG}[,}]`));
    mcp.close();
    const ws = await WsClient.connect(`${server.wsUrl}/ws`);
    const wsTexts: string[] = [];
    ws.socket.on('message', (d) => wsTexts.push(d.toString()));
    await ws.request(`{"type": "mcp", "data": ${call(BIG)}}`);
    assert.match(wsTexts[0], new RegExp(`"id":${BIG}[,}]`));
    ws.close();
  });

  test('a non-integer id is still refused', async () => {
    const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: call('1.5') });
    const body: any = await r.json();
    assert.equal(body.error.code, -32600);
    assert.equal(body.id, null);
  });
});
