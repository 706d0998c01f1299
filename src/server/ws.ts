/**
 * WebSocket /ws (docs/protocol.md §7): one session per connection, one episode per connection, one
 * reply per message in order. Both the original's message shapes and OpenEnv's are accepted; a
 * malformed message is answered with an error frame and the connection stays open (D12).
 */
import type { FastifyInstance, FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { ApiError, asApiError } from '../protocol/errors.ts';
import { parseAction } from '../env/schemas.ts';
import { decodeFrame, toJson } from './body.ts';
import { EMPTY_STATE, episodeMetadata, type EnvService } from './core.ts';
import { internalError, sendError, wsErrorData } from './errors.ts';
import { parseJsonKeepingIds } from './json-ids.ts';
import { connectionContext, serialQueue, startInSession, type McpDispatcher } from './mcp.ts';
import type { Session } from './sessions.ts';
import { callToolObservation, listToolsObservation, wsResetObservation, wsStepObservation } from '../protocol/replies.ts';
import { isCleanText, isPlainObject, parseEpisodeIdField, parseResetRequest, within } from '../protocol/requests.ts';
import { clientKey } from './security/limits.ts';

const NO_EPISODE_WS = 'No active episode. Send a reset message first.';
const MESSAGE_TYPES = ['reset', 'step', 'state', 'close', 'mcp', 'resume'] as const;

const notJson = (why: string) => new ApiError('INVALID_JSON', 'invalid_json', `Invalid JSON: ${why}`);

type Frame = { type: string; data: unknown; request_id?: string | number };

/** A message's optional `request_id`: a string of 1–128 characters or a safe integer. */
export const MAX_REQUEST_ID_CHARS = 128;
function requestIdOf(value: unknown): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  if ((typeof value === 'string' && value.length >= 1 && value.length <= MAX_REQUEST_ID_CHARS) || (typeof value === 'number' && Number.isSafeInteger(value))) {
    return value;
  }
  throw new ApiError('VALIDATION_ERROR', 'invalid_request', `request_id must be a string of 1 to ${MAX_REQUEST_ID_CHARS} characters or an integer`, [
    { loc: ['request_id'], msg: `request_id must be a string of 1 to ${MAX_REQUEST_ID_CHARS} characters or an integer`, type: 'value_error' },
  ]);
}

export interface WsOptions {
  service: EnvService;
  dispatcher: McpDispatcher;
}

export async function wsRoutes(app: FastifyInstance, { service, dispatcher }: WsOptions): Promise<void> {
  app.route({
    method: 'GET',
    url: '/ws',
    handler: async (_request, reply) =>
      sendError(reply, new ApiError('METHOD_NOT_ALLOWED', 'method_not_allowed', 'GET /ws needs a WebSocket upgrade.')),
    wsHandler: (socket: WebSocket, request: FastifyRequest) =>
      serveConnection(socket, service, dispatcher, app.log, clientKey(request), request.principal, attachQuery(request)),
  });
}

/**
 * `?session_id=` of the upgrade request: MCPToolClient's production mode creates an MCP session
 * over HTTP (`openenv/session/create`) and opens `/ws?session_id=<id>`, so that reset/step/state on
 * the socket and tools/list, tools/call on POST /mcp act in one session. Undefined when absent.
 */
function attachQuery(request: FastifyRequest): unknown {
  const q = request.query as Record<string, unknown> | undefined;
  return q && Object.hasOwn(q, 'session_id') ? q.session_id : undefined;
}

/** The MCP session a /ws asks to attach to, or the ApiError refusing it. */
function attachTarget(service: EnvService, wanted: unknown, principal: string | null): Session | ApiError {
  const shown = typeof wanted === 'string' ? wanted : JSON.stringify(wanted);
  if (typeof wanted !== 'string' || wanted === '' || !isCleanText(wanted)) {
    return new ApiError('VALIDATION_ERROR', 'invalid_request', 'session_id must be one non-empty string without control characters (an MCP session id from openenv/session/create)', [
      { loc: ['query', 'session_id'], msg: 'session_id must be a non-empty string', type: 'value_error' },
    ]);
  }
  const target = service.sessions.get(wanted);
  // Under EPISODE_ISOLATION another key's session is as unknown as a missing one.
  if (!target || target.kind !== 'mcp' || (service.isolation && target.principal !== principal)) {
    return new ApiError('NOT_FOUND', 'session_not_found', `Unknown session_id '${shown}': create one with openenv/session/create on POST /mcp (sessions expire when idle).`);
  }
  if (target.attached) {
    return new ApiError('CONFLICT', 'session_in_use', `Session '${wanted}' already has a WebSocket attached; one WebSocket per session.`);
  }
  return target;
}

function serveConnection(
  socket: WebSocket,
  service: EnvService,
  dispatcher: McpDispatcher,
  log: FastifyBaseLogger,
  client: string,
  principal: string | null,
  attachTo: unknown,
): void {
  const sessions = service.sessions;
  /**
   * The `request_id` of the message being answered (messages are handled one at a time), echoed
   * in its reply or error frame so a client that gave up waiting can tell a late reply from the
   * one it waits for (OpenEnv issue #1143). Unsolicited frames (idle reaping) carry none.
   */
  let replyTo: string | number | undefined;
  const send = (frame: Frame) => {
    if (socket.readyState !== socket.OPEN) return;
    if (replyTo !== undefined) frame = { ...frame, request_id: replyTo };
    let text: string;
    try {
      text = toJson(frame);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      log.error({ err: e }, 'non-finite number in a /ws reply');
      text = toJson({ type: 'error', data: wsErrorData(e) });
    }
    socket.send(text);
  };
  const sendErrorFrame = (error: ApiError, extra?: Record<string, unknown>) => send({ type: 'error', data: wsErrorData(error, extra) });

  const expire = () => {
    replyTo = undefined; // unsolicited: answers no request
    sendErrorFrame(new ApiError('SESSION_ERROR', 'session_expired', `Session expired after ${sessions.idleTimeoutMs / 1000} s without messages.`));
    socket.close(1001, 'session expired');
  };

  /** The MCP session this socket is attached to (`?session_id=`), or null for a session of its own. */
  let attached: Session | null = null;
  if (attachTo !== undefined) {
    const target = attachTarget(service, attachTo, principal);
    if (target instanceof ApiError) {
      // Like a capacity refusal: handshake done, one frame, then 1008 (policy violation).
      sendErrorFrame(target);
      socket.close(1008, target.reason);
      return;
    }
    attached = target;
    attached.attached = true;
    attached.onExpire = expire;
    sessions.touchSession(attached);
  }

  const session = attached ?? sessions.open('ws', expire, client, principal);
  if (!session) {
    // Handshake done, one frame, then 1013: both known clients read it as the reply to their first request.
    const refusal = sessions.refusal(client);
    sendErrorFrame(new ApiError('CAPACITY_REACHED', 'capacity_reached', refusal.message), refusal.data);
    socket.close(1013, 'server at capacity');
    return;
  }

  const connection = connectionContext(service, session);

  const handle = async (message: Record<string, unknown>): Promise<void> => {
    const type = message.type;
    switch (type) {
      case 'reset': {
        const req = within(['data'], () => {
          const data = message.data;
          if (data !== undefined && data !== null && !isPlainObject(data)) {
            throw new ApiError('VALIDATION_ERROR', 'invalid_request', 'reset data must be an object or null', [
              { loc: [], msg: 'data must be an object or null', type: 'model_type' },
            ]);
          }
          return parseResetRequest(data);
        });
        if (attached) {
          // The session's episode, as its start_episode tool makes it: it outlives this socket.
          send({ type: 'observation', data: wsResetObservation((await startInSession(service, req, attached, principal)).body) });
          return;
        }
        const { episode: started, body } = await service.reset(req, { kind: 'connection', sessionId: session.id, principal }, false);
        connection.setCurrent(started);
        send({ type: 'observation', data: wsResetObservation(body) });
        return;
      }
      case 'step': {
        const data = message.data;
        if (isPlainObject(data) && (data.type === 'list_tools' || data.type === 'call_tool')) {
          await mcpStep(data);
          return;
        }
        const action = within(['data'], () => {
          if (message.data === undefined || message.data === null) {
            throw new ApiError('VALIDATION_ERROR', 'invalid_action', 'Invalid action: data is required (the action object)', [
              { loc: [], msg: 'Field required', type: 'missing' },
            ]);
          }
          return parseAction(message.data);
        });
        const target = attached
          ? await service.resolveForStep(attached.currentEpisodeId, { callerSessionId: attached.id, implicit: true, noEpisodeMessage: NO_EPISODE_WS, principal })
          : await service.resolveForStep(connection.current(), { callerSessionId: session.id, noEpisodeMessage: NO_EPISODE_WS });
        const r = await service.step(target, action, { actionLoc: ['data'] });
        send({ type: 'observation', data: wsStepObservation(target.id, target.taskId, r, episodeMetadata(target, r)) });
        return;
      }
      case 'resume': {
        // {"type": "resume", "data": {"episode_id"}}: continue an unfinished WebSocket episode whose
        // connection is gone; the reply is the episode's latest observation.
        if (attached) {
          throw new ApiError('VALIDATION_ERROR', 'invalid_request', 'resume is for /ws connections of their own: this socket is attached to an MCP session, whose episodes outlive it (use tools/call with the session_id).');
        }
        const id = within(['data'], () => {
          const data = message.data;
          const issue = { loc: ['episode_id'], msg: 'episode_id is required (the id of the episode to resume)', type: 'missing' };
          if (!isPlainObject(data)) throw new ApiError('VALIDATION_ERROR', 'invalid_request', 'resume data must be {"episode_id": "..."}', [issue]);
          const parsed = parseEpisodeIdField(data.episode_id);
          if (parsed === null) throw new ApiError('VALIDATION_ERROR', 'invalid_request', 'resume needs an episode_id', [issue]);
          return parsed;
        });
        const resumed = await service.resume(id, session.id, principal);
        connection.setCurrent(resumed);
        const last = resumed.lastRecord;
        send({
          type: 'observation',
          data: {
            episode_id: resumed.id,
            task_id: resumed.taskId,
            observation: last?.observation ?? resumed.initialObservation,
            reward: last?.reward ?? 0.0,
            done: false,
            step: resumed.stepCount,
            info: {},
            terminated: false,
            truncated: false,
            metadata: { ...episodeMetadata(resumed, null), step: resumed.stepCount },
          },
        });
        return;
      }
      case 'state': {
        if (attached) {
          const id = attached.currentEpisodeId;
          send({ type: 'state', data: id === null ? { ...EMPTY_STATE } : await service.stateById(id, principal) });
          return;
        }
        const episode = connection.current();
        send({ type: 'state', data: episode ? service.stateOfLive(episode) : { ...EMPTY_STATE } });
        return;
      }
      case 'close':
        // An attached socket only detaches: the session and its episode stay (openenv/session/close ends them).
        if (!attached) service.abandon(connection.current());
        send({ type: 'close', data: {} });
        socket.close(1000);
        return;
      case 'mcp': {
        const response = await dispatcher.handle(message.data, attached ? { connection: null, attached } : { connection });
        if (response !== null) send({ type: 'mcp', data: response });
        return;
      }
      default: {
        const shown = type === undefined || type === null ? 'None' : typeof type === 'string' ? type : JSON.stringify(type);
        throw new ApiError(
          'UNKNOWN_TYPE',
          'unknown_type',
          `Unknown message type '${shown}' (expected one of: ${MESSAGE_TYPES.join(', ')})`,
        );
      }
    }
  };

  /**
   * OpenEnv's MCP actions as `step` data (MCPToolClient._step_payload): `list_tools` and
   * `call_tool`, answered as observation frames its _parse_result reads — never as error frames.
   */
  const mcpStep = async (data: Record<string, unknown>): Promise<void> => {
    if (data.type === 'list_tools') {
      send({ type: 'observation', data: listToolsObservation() });
      return;
    }
    const outcome = await dispatcher.callToolAsStep(data.tool_name, data.arguments, attached ?? connection);
    send({ type: 'observation', data: callToolObservation(String(data.tool_name ?? ''), outcome) });
  };

  // One message at a time, in order: a reply may wait on the store, the next message waits for it.
  const inOrder = serialQueue();
  socket.on('message', (raw, isBinary) => {
    sessions.touchSession(session);
    inOrder(() => onMessage(raw, isBinary));
  });

  const onMessage = async (raw: RawData, isBinary: boolean): Promise<void> => {
    replyTo = undefined;
    try {
      const text = decodeFrame(raw, isBinary);
      if (text === null) throw notJson('the message is not valid UTF-8');
      let message: unknown;
      try {
        // Exact ids: a {"type": "mcp"} message carries a JSON-RPC request.
        message = parseJsonKeepingIds(text);
      } catch (e) {
        throw notJson(e instanceof Error ? e.message : 'malformed JSON');
      }
      if (!isPlainObject(message)) {
        throw new ApiError('INVALID_JSON', 'invalid_json', 'Invalid message: expected a JSON object {"type": ..., "data": ...}');
      }
      replyTo = requestIdOf(message.request_id);
      await handle(message);
    } catch (e) {
      const error = asApiError(e);
      if (error) sendErrorFrame(error);
      else {
        log.error({ err: e }, 'internal error on /ws');
        sendErrorFrame(internalError());
      }
    }
  };

  socket.on('close', () => {
    if (attached) {
      // Detach: the MCP session goes on (and may be closed now, or take another socket).
      attached.attached = false;
      attached.onExpire = undefined;
      return;
    }
    // A dropped connection's episode stays resumable (§7 resume); `close` abandoned it already.
    sessions.close(session.id);
    service.release(connection.current());
  });
}
