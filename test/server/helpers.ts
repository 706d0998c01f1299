/** Helpers for server tests: a real server on an ephemeral port, JSON over fetch, a WebSocket client. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import WebSocket from 'ws';
import { buildApp, type AppHandle } from '../../src/server/app.ts';
import { testConfig, type ConfigInput } from '../../src/server/config.ts';
import type { EpisodeStore } from '../../src/server/store/types.ts';
import { ContractChecker } from '../../src/protocol/contract.ts';

export interface TestServer extends AppHandle {
  contract: ContractChecker;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * A test server. Every reply it sends is checked against the protocol's schemas; `close()` fails
 * the test with the list of replies that broke the contract.
 */
export async function startServer(overrides: ConfigInput = {}, options: { store?: EpisodeStore } = {}): Promise<TestServer> {
  const contract = new ContractChecker();
  const handle = await buildApp(testConfig(overrides), { ...options, contract });
  await handle.app.listen({ port: 0, host: '127.0.0.1' });
  const address = handle.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  const close = async () => {
    await handle.shutdown();
    contract.assertClean();
  };
  return { ...handle, contract, url, wsUrl: url.replace('http', 'ws'), close };
}

/**
 * Runs `body` against a test server of its own, then closes the server whatever `body` did (which
 * fails the test when a reply broke the contract).
 */
export async function withServer<T>(overrides: ConfigInput, body: (server: TestServer) => Promise<T>): Promise<T> {
  const server = await startServer(overrides);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

/**
 * One test server for the file (or the describe block) this is called in: started before its
 * first test, closed after its last, which fails it when a reply broke the contract. The returned
 * object is filled in by the `before` hook.
 */
export function serverForSuite(overrides: ConfigInput = {}, options: { store?: EpisodeStore } = {}): TestServer {
  const server = {} as TestServer;
  before(async () => {
    Object.assign(server, await startServer(overrides, options));
  });
  after(async () => {
    await server.close();
  });
  return server;
}

/** Holds a value to a protocol schema (src/protocol/wire.ts), naming the first problems. */
export function conforms(schema: TSchema, value: unknown, what: string): void {
  const check = Compile(schema);
  assert.ok(check.Check(value), `${what}: ${JSON.stringify([...check.Errors(value)].slice(0, 3))}`);
}

export interface JsonReply {
  status: number;
  body: any;
  headers: Headers;
}

export async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonReply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON (HTML pages): keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const post = (base: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  request(base, 'POST', path, body, headers);
export const get = (base: string, path: string) => request(base, 'GET', path);

/** A WebSocket client that queues incoming messages so a test can await them in order. */
export class WsClient {
  readonly socket: WebSocket;
  private readonly queue: any[] = [];
  private waiters: ((m: any) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString());
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new WsClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** The next message (rejects after `timeoutMs`). */
  next(timeoutMs = 5000): Promise<any> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no WebSocket message in time')), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async request(message: unknown): Promise<any> {
    this.send(message);
    return this.next();
  }

  close(): void {
    this.socket.close();
  }
}

export const BALANCED = {
  action_type: 'select_batch',
  batch_size: 10,
  strategy_weights: { uncertainty: 0.4, diversity: 0.4, random: 0.2 },
};
