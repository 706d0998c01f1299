/**
 * The protocol's contract as a checker: every reply, frame and JSON-RPC response held against the
 * schema the protocol module declares for it. A server built with one (`buildApp(config,
 * { contract })`) reports every reply it sends; the test suite's servers all run with one and
 * fail a test file whose replies broke the contract, so the schemas cannot drift from the code.
 */
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { ROUTE_SCHEMAS, type RouteKey } from './routes.ts';
import {
  HttpErrorSchema,
  JsonRpcResponseSchema,
  TOOL_SCHEMAS,
  ToolErrorPayloadSchema,
  ToolResultSchema,
  WsServerFrameSchema,
  type ToolName,
} from './wire.ts';

const compiled = new WeakMap<TSchema, ReturnType<typeof Compile>>();
function check(schema: TSchema, value: unknown): string | null {
  let c = compiled.get(schema);
  if (!c) {
    c = Compile(schema);
    compiled.set(schema, c);
  }
  if (c.Check(value)) return null;
  return [...c.Errors(value)]
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const short = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/**
 * Refusals made by server-wide hooks before any route runs (API key 401, foreign Origin/Host 403,
 * request timeout 408, rate limit 429, oversized URL/headers 414/431): any route may answer them,
 * always with the §5 error body, so they are checked against that body rather than per route.
 */
const SERVER_WIDE_REFUSALS = new Set([401, 403, 408, 414, 429, 431]);

export class ContractChecker {
  readonly violations: string[] = [];
  /** How many replies were checked, by kind (a test can assert the checker saw traffic). */
  readonly counts = { http: 0, ws: 0, mcp: 0 };

  private fail(where: string, why: string, value: unknown): void {
    this.violations.push(`${where}: ${why} — ${short(value)}`);
  }

  /**
   * An HTTP reply: `route` is "METHOD /pattern" (fastify's route url) or null for an unrouted
   * request (404, 405, framework errors). A declared route's status must be documented, and the
   * body must match that status's schema; errors always have the §5 body.
   */
  http(route: string | null, status: number, body: unknown): void {
    this.counts.http++;
    const declared = route !== null && route in ROUTE_SCHEMAS ? ROUTE_SCHEMAS[route as RouteKey] : null;
    const where = `${route ?? 'unrouted'} → ${status}`;
    if (declared && !SERVER_WIDE_REFUSALS.has(status)) {
      const schema = (declared.response as Record<number, TSchema>)[status];
      if (!schema) return this.fail(where, 'status not documented for this route', body);
      const why = check(schema, body === undefined ? null : body);
      if (why) this.fail(where, why, body);
      return;
    }
    if (status >= 400) {
      const why = check(HttpErrorSchema, body);
      if (why) this.fail(where, why, body);
    }
  }

  /** A frame sent on /ws. */
  wsFrame(frame: unknown): void {
    this.counts.ws++;
    const why = check(WsServerFrameSchema, frame);
    if (why) this.fail('ws frame', why, frame);
  }

  /** A JSON-RPC response (any MCP transport), with the request it answers when known. */
  mcp(request: unknown, sent: unknown): void {
    this.counts.mcp++;
    // The wire form: ids kept as raw JSON text (exact large integers) read back as numbers.
    const response: unknown = JSON.parse(JSON.stringify(sent));
    const why = check(JsonRpcResponseSchema, response);
    if (why) return this.fail('mcp response', why, response);
    if (!isObject(request) || request.method !== 'tools/call' || !isObject(response) || !('result' in response)) return;
    const params = isObject(request.params) ? request.params : {};
    const result = response.result;
    const whyEnvelope = check(ToolResultSchema, result);
    if (whyEnvelope) return this.fail('mcp tool result', whyEnvelope, result);
    const r = result as { isError: boolean; structuredContent: unknown; data: unknown; content: { text: string }[] };
    const name = params.name as ToolName;
    const payloadSchema = r.isError ? ToolErrorPayloadSchema : TOOL_SCHEMAS[name]?.output;
    if (!payloadSchema) return this.fail('mcp tool result', `no output schema for tool ${String(name)}`, result);
    const whyPayload = check(payloadSchema, r.structuredContent);
    if (whyPayload) this.fail(`mcp ${String(name)}${r.isError ? ' (error)' : ''}`, whyPayload, r.structuredContent);
    if (JSON.stringify(r.data) !== JSON.stringify(r.structuredContent) || r.content[0]?.text !== JSON.stringify(r.structuredContent)) {
      this.fail(`mcp ${String(name)}`, 'content[0].text, structuredContent and data differ', result);
    }
  }

  /** Throws with every violation (for a test's teardown). */
  assertClean(): void {
    if (this.violations.length > 0) {
      throw new Error(`${this.violations.length} replies broke the protocol contract:\n${this.violations.slice(0, 20).join('\n')}`);
    }
  }
}
