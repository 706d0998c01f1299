/**
 * A local OpenAI-compatible chat-completions server for tests and demos (node:http, no
 * dependency). Each POST /v1/chat/completions consumes the next scripted reply: an answer text
 * (optionally late), an HTTP error status, a hang (no answer until the client gives up: whatever
 * the client's timeout, it fires, so tests can keep generous timeouts and not flake under load)
 * or a dropped connection. When the script runs out it answers a well-formed balanced action.
 *
 * Run standalone (`npm run mock-openai -- [port]`) it plays DEMO_SCRIPT and prints its URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type MockReply =
  /** `usage: null` answers without a usage object (as some endpoints do). */
  | { content: string; delayMs?: number; usage?: MockUsage | null }
  | { status: number; body?: unknown }
  /**
   * Tool calls (`arguments` as text is sent verbatim, so a test can send malformed JSON); several
   * make a parallel tool call.
   */
  | { toolCalls: { name: string; arguments: string | Record<string, unknown>; id?: string }[]; content?: string | null; usage?: MockUsage | null }
  /** Never answers: the connection stays open until the client times out and closes it. */
  | { hang: true }
  | { drop: true };

export interface MockUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost?: number;
}

/** What every answer reports unless its reply says otherwise (fixed numbers, so tests can sum them). */
export const MOCK_USAGE: MockUsage = { prompt_tokens: 100, completion_tokens: 30, total_tokens: 130 };

export interface RecordedMessage {
  role: string;
  content: string;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: {
    model?: string;
    messages?: RecordedMessage[];
    temperature?: number;
    max_tokens?: number;
    tools?: { type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }[];
    response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
  };
}

export interface MockOptions {
  port?: number;
  /**
   * Answer every request that asks for `response_format` with a 400 (as endpoints without
   * structured output do), without consuming the script.
   */
  refuseResponseFormat?: boolean;
}

export interface MockServer {
  url: string;
  /** Base URL to give the openai client (…/v1). */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const GOOD_ANSWER = '{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"uncertainty": 0.4, "diversity": 0.4, "random": 0.2}}';

/** The default answer of a request that offers tools: GOOD_ANSWER as a take_action call. */
export const GOOD_TOOL_CALL = { name: 'take_action', arguments: GOOD_ANSWER };

let callCounter = 0;

function toolCompletion(model: string, calls: { name: string; arguments: string | Record<string, unknown>; id?: string }[], content: string | null, usage: MockUsage | null = MOCK_USAGE) {
  const tool_calls = calls.map((c) => ({
    id: c.id ?? `call_mock_${++callCounter}`,
    type: 'function',
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  return {
    id: `chatcmpl-mock-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, tool_calls }, finish_reason: 'tool_calls', logprobs: null }],
    ...(usage ? { usage } : {}),
  };
}

function completion(model: string, content: string, usage: MockUsage | null = MOCK_USAGE) {
  const body = {
    id: `chatcmpl-mock-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    ...(usage ? { usage } : {}),
  };
  return body;
}

/** `script` is consumed in place, so a test may push more replies while the server runs. */
export async function startMockOpenAI(script: MockReply[], options: MockOptions | number = {}): Promise<MockServer> {
  const o: MockOptions = typeof options === 'number' ? { port: options } : options;
  const port = o.port ?? 0;
  const queue = script;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        send(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
        return;
      }
      let body: RecordedRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      requests.push({ path: req.url, authorization: req.headers.authorization, body });
      if (o.refuseResponseFormat && body.response_format !== undefined) {
        send(400, { error: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", type: 'invalid_request_error', param: 'response_format' } });
        return;
      }
      const offersTools = Array.isArray(body.tools) && body.tools.length > 0;
      const reply: MockReply = queue.shift() ?? (offersTools ? { toolCalls: [GOOD_TOOL_CALL] } : { content: GOOD_ANSWER });
      if ('drop' in reply) {
        req.socket.destroy();
      } else if ('toolCalls' in reply) {
        send(200, toolCompletion(body.model ?? 'mock', reply.toolCalls, reply.content ?? null, reply.usage === undefined ? MOCK_USAGE : reply.usage));
      } else if ('hang' in reply) {
        // Nothing is sent; the client's own timeout ends the request (its close is the only exit).
      } else if ('status' in reply) {
        send(reply.status, reply.body ?? { error: { message: `mock failure ${reply.status}`, type: 'server_error' } });
      } else {
        const answer = () => {
          if (!res.destroyed) send(200, completion(body.model ?? 'mock', reply.content, reply.usage === undefined ? MOCK_USAGE : reply.usage));
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
        else answer();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${bound}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Every kind of answer the agent must cope with, in one 15-step easy episode. */
export const DEMO_SCRIPT: MockReply[] = [
  { content: GOOD_ANSWER },
  { content: 'I will favour diversity here.\n{"action_type": "select_batch", "batch_size": 12, "strategy_weights": {"uncertainty": 0.2, "diversity": 0.6, "random": 0.2}}\nThis should keep noise low.' },
  { content: '```json\n{"action_type": "select_batch", "batch_size": 8, "strategy_weights": {"diversity": 0.7, "random": 0.3}}\n```' },
  { content: 'Sure! Here is my action: {"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"uncertainty": 0.3, "diversity": 0.5' },
  { content: '{"action_type": "select_batch", "batch_size": 2.6, "strategy_weights": {"uncertainty": -0.2, "diversity": 1.7, "greedy": 0.3}}' },
  { status: 500 },
  { content: GOOD_ANSWER },
  { status: 429 },
  { content: '{"action": {"action_type": "select_batch", "batch_size": "10", "strategy_weights": {"random": "1"}}}' },
  { content: '{"action_type": "explore", "batch_size": 10, "strategy_weights": {"random": 1}}' },
  { content: '{"action_type": "select_batch", "batch_size": 10, "strategy_weights": {"uncertainty": 0, "diversity": 0}}' },
  { content: 'SELECT_BATCH please, ten samples' },
];

if (import.meta.main) {
  const port = Number(process.argv[2] ?? 0);
  const m = await startMockOpenAI([...DEMO_SCRIPT], port);
  process.stdout.write(`mock OpenAI-compatible server at ${m.baseURL}\n`);
}
