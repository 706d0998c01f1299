/**
 * MCP (docs/protocol.md §8): JSON-RPC 2.0 with five tools over the same environment service. One
 * dispatcher serves POST /mcp, the WebSocket /mcp and `{"type": "mcp"}` messages on /ws; the
 * transports differ only in their context (which session and which "current episode" a tool uses
 * by default, and who owns the episodes it starts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { ApiError, asApiError, invalidRequest } from '../protocol/errors.ts';
import { parseAction } from '../env/schemas.ts';
import { toolStepPayload, type CallToolOutcome } from '../protocol/replies.ts';
import { ROUTE_SCHEMAS } from '../protocol/routes.ts';
import { TOOL_NAMES, TOOL_SCHEMAS, type ToolError, type ToolResult } from '../protocol/wire.ts';
import { NO_BODY, decodeFrame, parseJsonText, readJsonBody, toJson } from './body.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { ENV_NAME, episodeMetadata, type EnvService, type ResetBody } from './core.ts';
import type { LiveEpisode } from './episodes.ts';
import { internalError, sendError } from './errors.ts';
import { isExactIntegerId, parseJsonKeepingIds } from './json-ids.ts';
import { isCleanText, isPlainObject, parseEpisodeIdField, parseEpisodeIdRef, parseResetRequest, within, type ResetRequest } from '../protocol/requests.ts';
import { clientKey } from './security/limits.ts';
import type { Session } from './sessions.ts';

export const MCP_PROTOCOL_VERSION = '2025-06-18';
const NO_EPISODE_MCP = 'No active episode. Call the start_episode tool first (or pass episode_id).';

export type JsonRpcId = string | number | null;
export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** A WebSocket connection as an MCP context: its session and its one episode. */
export interface ConnectionContext {
  session: Session;
  current(): LiveEpisode | null;
  /** Makes `episode` the connection's episode, abandoning the previous unfinished one. */
  setCurrent(episode: LiveEpisode): void;
}

/** A connection's context: its session and its one current episode (a new one discards the old). */
export function connectionContext(service: EnvService, session: Session): ConnectionContext {
  let episode: LiveEpisode | null = null;
  return {
    session,
    current: () => episode,
    setCurrent: (next) => {
      if (episode && episode !== next) service.abandon(episode);
      episode = next;
    },
  };
}

/**
 * A queue that runs tasks one after another (a connection's messages: replies stay in order while
 * a task awaits the store). A failing task never stops the ones after it.
 */
export function serialQueue(): (task: () => Promise<void>) => void {
  let tail: Promise<void> = Promise.resolve();
  return (task) => {
    tail = tail.then(task).catch(() => undefined);
  };
}

export interface McpContext {
  connection: ConnectionContext | null;
  /**
   * A /ws connection opened with `?session_id=` (MCPToolClient's production mode): its tools act
   * in that MCP session, exactly as POST /mcp calls naming the session do.
   */
  attached?: Session | null;
  /** The caller (API key id or address) for per-client caps; absent for in-process calls. */
  client?: string;
  /** The caller's API key id (null without keys) for EPISODE_ISOLATION; a connection's is its session's. */
  principal?: string | null;
}

/** Who calls: the connection's session when there is one, else what the transport said. */
function callerOf(ctx: McpContext): { client?: string; principal?: string | null } {
  const own = ctx.connection?.session ?? ctx.attached ?? undefined;
  return own ? { client: own.client, principal: own.principal } : { client: ctx.client, principal: ctx.principal };
}

class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

const rpcError = (id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
});

export const PARSE_ERROR = (detail: string): JsonRpcResponse => rpcError(null, -32700, `Parse error: ${detail}`);

/** The tools as `tools/list` publishes them: names, descriptions and input schemas from the protocol module. */
export const TOOLS = TOOL_NAMES.map((name) => ({
  name,
  description: TOOL_SCHEMAS[name].description,
  inputSchema: TOOL_SCHEMAS[name].input as object,
}));

const TOOL_NAME_SET = new Set<string>(TOOL_NAMES);

function toolResult(payload: unknown, isError: boolean): ToolResult {
  toJson(payload); // throws `internal` for a non-finite number (it must never reach the wire)
  return { content: [{ type: 'text' as const, text: JSON.stringify(payload) }], structuredContent: payload, isError, data: payload };
}

function toolError(error: ApiError) {
  const e: Record<string, unknown> = { code: error.code, reason: error.reason, message: error.message };
  if (error.issues.length > 0) e.errors = error.issues;
  return toolResult({ error: e }, true);
}

/** Where a tool call runs: the default episode and the owner of started episodes. */
type ToolScope =
  | { kind: 'none' }
  | { kind: 'session'; session: Session }
  | { kind: 'connection'; connection: ConnectionContext };

/**
 * OpenEnv's ToolError categories (openenv/core/env_server/mcp_types.py, ToolErrorType): framework
 * failures of a call, as opposed to the tool's own failures, which travel in its result.
 */
export type ToolErrorType = ToolError['error_type'];

/** What a `call_tool` step produced: the tool's result envelope, or a framework error. */
export type ToolStepOutcome = CallToolOutcome;

/** Faults of the server, not of the tool's use: they stay framework errors (execution_error). */
const SERVER_FAULTS = new Set<string>(['internal', 'store_unavailable', 'store_corrupt', 'replay_mismatch']);

export class McpDispatcher {
  private readonly service: EnvService;
  private readonly log: (err: unknown) => void;

  constructor(service: EnvService, log: (err: unknown) => void = () => {}) {
    this.service = service;
    this.log = log;
  }

  /** Handles one JSON-RPC message (already parsed); null for a notification (nothing to send). */
  async handle(message: unknown, ctx: McpContext): Promise<JsonRpcResponse | null> {
    if (!isPlainObject(message)) return rpcError(null, -32600, 'Invalid Request: expected a JSON-RPC 2.0 request object (batches are not supported)');
    const hasId = 'id' in message;
    const rawId = message.id;
    const idValid =
      rawId === null || typeof rawId === 'string' || (typeof rawId === 'number' && Number.isInteger(rawId)) || isExactIntegerId(rawId);
    const id: JsonRpcId = hasId && idValid ? (rawId as JsonRpcId) : null;
    if (hasId && !idValid) return rpcError(null, -32600, 'Invalid Request: id must be a string or an integer');
    if (message.jsonrpc !== '2.0') return rpcError(id, -32600, 'Invalid Request: jsonrpc must be "2.0"');
    if (typeof message.method !== 'string') return rpcError(id, -32600, 'Invalid Request: method must be a string');
    let response: JsonRpcResponse;
    try {
      response = { jsonrpc: '2.0', id, result: await this.dispatch(message.method, message.params, ctx) };
    } catch (e) {
      if (e instanceof RpcError) response = rpcError(id, e.code, e.message, e.data);
      else {
        this.log(e);
        response = rpcError(id, -32603, 'Internal error');
      }
    }
    // A notification (no id member) is processed but never answered.
    return hasId ? response : null;
  }

  private async dispatch(method: string, rawParams: unknown, ctx: McpContext): Promise<unknown> {
    if (rawParams !== undefined && !isPlainObject(rawParams)) throw new RpcError(-32602, 'Invalid params: params must be an object');
    const params = (rawParams ?? {}) as Record<string, unknown>;
    const sessions = this.service.sessions;
    const own = ctx.connection?.session ?? ctx.attached ?? null;

    if (method === 'openenv/session/close') {
      const sid = params.session_id;
      if (typeof sid !== 'string' || sid === '') throw new RpcError(-32602, 'Invalid params: session_id is required');
      if (!isCleanText(sid)) throw new RpcError(-32602, 'Invalid params: session_id must be well-formed Unicode without control characters');
      if (ctx.connection && sid === ctx.connection.session.id) {
        throw new RpcError(-32600, 'Invalid Request: a WebSocket closes its own session by closing the connection');
      }
      const s = sessions.get(sid);
      if (!s || s.kind !== 'mcp' || !this.mayUse(s, ctx)) throw new RpcError(-32602, `Unknown session_id: ${sid}`);
      // OpenEnv's ownership rule: a session with a WebSocket attached is closed only after that
      // socket detaches (MCPToolClient closes its WebSocket first, then the session).
      if (s.attached) throw new RpcError(-32600, `Invalid Request: session ${sid} has an active WebSocket; close the WebSocket first`);
      sessions.close(sid);
      return { session_id: sid, closed: true };
    }

    const scope = this.scope(params.session_id, ctx);
    switch (method) {
      case 'initialize':
        return {
          protocolVersion: typeof params.protocolVersion === 'string' ? params.protocolVersion : MCP_PROTOCOL_VERSION,
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: ENV_NAME, version: PACKAGE_VERSION },
        };
      case 'ping':
        return {};
      case 'tools/list':
        return { tools: structuredClone(TOOLS) };
      case 'tools/call': {
        const name = params.name;
        if (typeof name !== 'string' || !TOOL_NAME_SET.has(name)) {
          throw new RpcError(-32602, `Invalid params: unknown tool ${JSON.stringify(name ?? null)} (tools: ${TOOL_NAMES.join(', ')})`);
        }
        const args = params.arguments ?? {};
        if (!isPlainObject(args)) throw new RpcError(-32602, 'Invalid params: arguments must be an object');
        try {
          return toolResult(await this.callTool(name, args, scope, callerOf(ctx)), false);
        } catch (e) {
          const error = asApiError(e);
          if (error) return toolError(error);
          this.log(e);
          return toolError(internalError());
        }
      }
      case 'openenv/session/create': {
        if (own) return { session_id: own.id };
        const s = sessions.open('mcp', undefined, ctx.client, ctx.principal ?? null);
        if (!s) {
          const refusal = sessions.refusal(ctx.client);
          throw new RpcError(-32000, refusal.message, refusal.data);
        }
        return { session_id: s.id };
      }
      default:
        throw new RpcError(-32601, `Method not found: ${method}`);
    }
  }

  /**
   * A tool call arriving as a /ws `step` (MCPToolClient's `{"type": "call_tool"}` action), in the
   * connection's context. Unknown tools and invalid arguments are framework errors (OpenEnv's
   * ToolError); the environment's refusals (no_episode, episode_over, …) are the tool's own
   * failures and come back in its result, as over JSON-RPC.
   */
  async callToolAsStep(name: unknown, args: unknown, target: ConnectionContext | Session): Promise<ToolStepOutcome> {
    if (typeof name !== 'string' || !TOOL_NAME_SET.has(name)) {
      return { kind: 'framework', errorType: 'tool_not_found', message: `Unknown tool ${JSON.stringify(name ?? null)} (tools: ${TOOL_NAMES.join(', ')})`, failure: null };
    }
    if (args !== undefined && args !== null && !isPlainObject(args)) {
      return { kind: 'framework', errorType: 'invalid_args', message: 'arguments must be an object', failure: null };
    }
    const session = 'session' in target ? target.session : target;
    const scope: ToolScope = 'session' in target ? { kind: 'connection', connection: target } : { kind: 'session', session: target };
    this.service.sessions.touchSession(session);
    try {
      const payload = await this.callTool(name, (args ?? {}) as Record<string, unknown>, scope, {
        client: session.client,
        principal: session.principal,
      });
      return { kind: 'result', result: toolResult(payload, false), payload, failure: null };
    } catch (thrown) {
      const e = asApiError(thrown);
      if (!e) {
        this.log(thrown);
        return { kind: 'framework', errorType: 'execution_error', message: internalError().message, failure: internalError() };
      }
      if (SERVER_FAULTS.has(e.reason)) return { kind: 'framework', errorType: 'execution_error', message: `${e.reason}: ${e.message}`, failure: e };
      if (e.code === 'VALIDATION_ERROR') return { kind: 'framework', errorType: 'invalid_args', message: `${e.reason}: ${e.message}`, failure: e };
      const result = toolError(e);
      return { kind: 'result', result, payload: result.data, failure: e };
    }
  }

  /** Under isolation an MCP session is usable (and closable) only with the key that created it. */
  private mayUse(session: Session, ctx: McpContext): boolean {
    const principal = callerOf(ctx).principal;
    return !this.service.isolation || principal === undefined || session.principal === principal;
  }

  private scope(sessionId: unknown, ctx: McpContext): ToolScope {
    if (sessionId !== undefined && sessionId !== null) {
      if (typeof sessionId !== 'string') throw new RpcError(-32602, 'Invalid params: session_id must be a string');
      if (!isCleanText(sessionId)) throw new RpcError(-32602, 'Invalid params: session_id must be well-formed Unicode without control characters');
      if (ctx.connection && sessionId === ctx.connection.session.id) {
        this.service.sessions.touchSession(ctx.connection.session);
        return { kind: 'connection', connection: ctx.connection };
      }
      if (ctx.attached && sessionId === ctx.attached.id) {
        this.service.sessions.touchSession(ctx.attached);
        return { kind: 'session', session: ctx.attached };
      }
      const s = this.service.sessions.get(sessionId);
      if (!s || s.kind !== 'mcp' || !this.mayUse(s, ctx)) throw new RpcError(-32602, `Unknown session_id: ${sessionId}`);
      this.service.sessions.touchSession(s);
      return { kind: 'session', session: s };
    }
    if (ctx.connection) return { kind: 'connection', connection: ctx.connection };
    return ctx.attached ? { kind: 'session', session: ctx.attached } : { kind: 'none' };
  }

  private async callTool(
    name: string,
    args: Record<string, unknown>,
    scope: ToolScope,
    caller: { client?: string; principal?: string | null } = {},
  ): Promise<unknown> {
    const service = this.service;
    const principal = caller.principal;
    switch (name) {
      case 'list_tasks':
        return service.tasks();
      case 'start_episode': {
        const req = within(['arguments'], () => parseResetRequest(args));
        if (scope.kind === 'connection') {
          const { episode, body } = await service.reset(req, { kind: 'connection', sessionId: scope.connection.session.id, principal }, false);
          scope.connection.setCurrent(episode);
          return body;
        }
        if (scope.kind === 'session') return (await startInSession(service, req, scope.session, principal)).body;
        const { body } = await service.reset(req, { kind: 'http', client: caller.client, principal }, false);
        return body;
      }
      case 'take_action': {
        const episodeId = within(['arguments'], () => parseEpisodeIdField(args.episode_id));
        const action = within(['arguments'], () => parseAction(args));
        const callerSessionId =
          scope.kind === 'connection' ? scope.connection.session.id : scope.kind === 'session' ? scope.session.id : undefined;
        let episode: LiveEpisode;
        if (episodeId !== null) episode = await service.resolveForStep(episodeId, { callerSessionId, principal });
        else if (scope.kind === 'connection') {
          episode = await service.resolveForStep(scope.connection.current(), { callerSessionId, noEpisodeMessage: NO_EPISODE_MCP, principal });
        } else if (scope.kind === 'session') {
          episode = await service.resolveForStep(scope.session.currentEpisodeId, {
            callerSessionId,
            implicit: true,
            noEpisodeMessage: NO_EPISODE_MCP,
            principal,
          });
        } else throw new ApiError('EXECUTION_ERROR', 'no_episode', NO_EPISODE_MCP);
        const r = await service.step(episode, action, { actionLoc: ['arguments'] });
        return toolStepPayload(episode.id, r, episodeMetadata(episode, r));
      }
      case 'get_state': {
        const episodeId = within(['arguments'], () => parseEpisodeIdField(args.episode_id));
        if (episodeId !== null) return await service.stateById(episodeId, principal);
        if (scope.kind === 'connection') {
          const ep = scope.connection.current();
          if (!ep) throw new ApiError('EXECUTION_ERROR', 'no_episode', NO_EPISODE_MCP);
          return service.stateOfLive(ep);
        }
        if (scope.kind === 'session' && scope.session.currentEpisodeId !== null) {
          return await service.stateById(scope.session.currentEpisodeId, principal);
        }
        throw new ApiError('EXECUTION_ERROR', 'no_episode', NO_EPISODE_MCP);
      }
      case 'grade_episode': {
        const id = args.episode_id;
        if (id === '') {
          throw invalidRequest([{ loc: ['arguments', 'episode_id'], msg: 'episode_id is required (a string)', type: 'missing' }]);
        }
        const episodeId = within(['arguments'], () => parseEpisodeIdRef(id));
        const task = args.task_id;
        if (task !== undefined && task !== null && typeof task !== 'string') {
          throw invalidRequest([{ loc: ['arguments', 'task_id'], msg: 'task_id must be a string or null', type: 'string_type' }]);
        }
        return await service.grade(episodeId, (task as string | null | undefined) ?? null, principal);
      }
    }
    throw new ApiError('EXECUTION_ERROR', 'internal', `tool ${name} has no implementation`);
  }
}

/**
 * Starts an episode in an MCP session (its `start_episode`, or a reset on a /ws attached to it):
 * a pool episode stepped only through that session (sessionId in its owner), the session's current one.
 */
export async function startInSession(
  service: EnvService,
  req: ResetRequest,
  session: Session,
  principal: string | null | undefined,
): Promise<{ episode: LiveEpisode; body: ResetBody }> {
  const started = await service.reset(req, { kind: 'http', client: session.client, principal, sessionId: session.id }, false);
  session.currentEpisodeId = started.episode.id;
  return started;
}

/** POST /mcp (JSON-RPC over HTTP: 200 for every response, 202 for notifications) and WebSocket /mcp. */
export async function mcpRoutes(app: FastifyInstance, { service, dispatcher }: { service: EnvService; dispatcher: McpDispatcher }): Promise<void> {
  // The body stays raw bytes: the dispatcher reads it keeping JSON-RPC ids exact and answers
  // malformed JSON with a JSON-RPC parse error (HTTP 200), not the 422 of the other routes.
  app.post('/mcp', { schema: ROUTE_SCHEMAS['POST /mcp'], config: { rawBody: true } }, async (request, reply) => {
    let message: unknown;
    try {
      message = readJsonBody(request, parseJsonKeepingIds);
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'invalid_json') return reply.code(200).send(PARSE_ERROR(e.message));
      throw e;
    }
    if (message === NO_BODY) return reply.code(200).send(PARSE_ERROR('empty body'));
    const response = await dispatcher.handle(message, { connection: null, client: clientKey(request), principal: request.principal });
    if (response === null) return reply.code(202).send();
    return reply.code(200).send(response);
  });

  app.route({
    method: 'GET',
    url: '/mcp',
    handler: async (_request, reply) =>
      sendError(reply, new ApiError('METHOD_NOT_ALLOWED', 'method_not_allowed', 'GET /mcp needs a WebSocket upgrade; use POST /mcp for JSON-RPC over HTTP.')),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const sessions = service.sessions;
      const client = clientKey(request);
      const session = sessions.open('mcp-ws', () => socket.close(1001, 'session expired'), client, request.principal);
      if (!session) {
        const refusal = sessions.refusal(client);
        socket.send(JSON.stringify(rpcError(null, -32000, refusal.message, refusal.data)));
        socket.close(1013, 'server at capacity');
        return;
      }
      const connection = connectionContext(service, session);
      // Messages are answered one at a time, in order, although a tool call may wait on the store.
      const inOrder = serialQueue();
      socket.on('message', (raw, isBinary) => {
        sessions.touchSession(session);
        inOrder(async () => {
          let response: JsonRpcResponse | null;
          const text = decodeFrame(raw, isBinary);
          let message: unknown;
          let parsed = false;
          if (text !== null) {
            try {
              message = parseJsonText(text, ['body'], parseJsonKeepingIds);
              parsed = true;
            } catch {
              // answered below as a parse error
            }
          }
          if (!parsed) response = PARSE_ERROR(text === null ? 'the message is not valid UTF-8' : 'the message is not valid JSON');
          else response = await dispatcher.handle(message, { connection });
          if (response !== null && socket.readyState === socket.OPEN) socket.send(JSON.stringify(response));
        });
      });
      socket.on('close', () => {
        sessions.close(session.id);
        service.release(connection.current());
      });
    },
  });
}
