/**
 * Loopback clients for driving a running server from a child process's outside: a free port, one
 * JSON request over a keep-alive agent, a WebSocket that pairs each sent message with the next
 * reply, and the rewards of an isolated in-process run to check served episodes against. Shared
 * by the benches (bench/load.ts) and the tests (test/robustness/crash.test.ts), which must not
 * import each other.
 */
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { BALANCED_ACTION } from '../src/env/baseline.ts';
import { makeEnv } from '../src/env/make.ts';

export const HOST = '127.0.0.1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

export interface Reply {
  status: number;
  body: any;
}

export function request(method: string, url: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      { method, agent, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* keep text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    if (data) req.write(data);
    req.end();
  });
}

/** A WebSocket that answers each sent message with the next received one (one reply per request). */
export class WsClient {
  private readonly ws: WebSocket;
  private readonly waiting: ((msg: any) => void)[] = [];
  private readonly queued: any[] = [];
  closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      const w = this.waiting.shift();
      if (w) w(msg);
      else this.queued.push(msg);
    });
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w({ type: 'error', data: { reason: 'closed' } });
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws');
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  send(msg: unknown): Promise<any> {
    return this.sendRaw(JSON.stringify(msg));
  }

  /** Sends a text frame as is, or a binary frame for a Uint8Array, and awaits the next reply. */
  sendRaw(data: string | Uint8Array): Promise<any> {
    return new Promise((resolve) => {
      const q = this.queued.shift();
      if (q) return resolve(q);
      // A socket that closed before this send will never answer nor close again.
      if (this.closed || this.ws.readyState !== WebSocket.OPEN) return resolve({ type: 'error', data: { reason: 'closed' } });
      this.waiting.push(resolve);
      this.ws.send(data, { binary: typeof data !== 'string' }, (err) => {
        if (err) {
          const i = this.waiting.indexOf(resolve);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve({ type: 'error', data: { reason: 'send_failed' } });
        }
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Rewards and observations of an isolated in-process run, for mismatch checks (cached per seed). */
const expectedCache = new Map<string, { rewards: number[]; performances: number[] }>();
export function expectedEpisode(task: string, seed: number): { rewards: number[]; performances: number[] } {
  const key = `${task}/${seed}`;
  let e = expectedCache.get(key);
  if (!e) {
    const env = makeEnv(task); // any family: the closed loops also play curation tasks
    env.reset({ task, seed });
    const rewards: number[] = [];
    const performances: number[] = [];
    for (;;) {
      const r = env.step(BALANCED_ACTION);
      rewards.push(r.reward);
      performances.push(r.observation.current_performance);
      if (r.done) break;
    }
    e = { rewards, performances };
    expectedCache.set(key, e);
  }
  return e;
}
