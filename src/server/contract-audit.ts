/**
 * Wires a ContractChecker into a running server (tests): every HTTP reply (onSend), every frame a
 * WebSocket sends (/ws frames against the /ws schemas, /mcp frames as JSON-RPC responses) and
 * every response of the MCP dispatcher (with its request, so tool payloads are checked too).
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { ContractChecker } from '../protocol/contract.ts';
import type { McpDispatcher } from './mcp.ts';

export function auditReplies(app: FastifyInstance, dispatcher: McpDispatcher, contract: ContractChecker): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (payload !== undefined && payload !== null && payload !== '' && !type.startsWith('application/json')) return payload;
    const url = request.routeOptions.url;
    const route = url === undefined ? null : `${request.method} ${url}`;
    let body: unknown;
    try {
      body = typeof payload === 'string' && payload !== '' ? JSON.parse(payload) : undefined;
    } catch {
      body = payload;
    }
    contract.http(route, reply.statusCode, body);
    return payload;
  });

  const handle = dispatcher.handle.bind(dispatcher);
  dispatcher.handle = async (message, ctx) => {
    const response = await handle(message, ctx);
    if (response !== null) contract.mcp(message, response);
    return response;
  };

  app.websocketServer.on('connection', (socket: WebSocket, request: { url?: string }) => {
    const path = (request.url ?? '').split('?')[0];
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      try {
        const frame = JSON.parse(String(data));
        // /mcp frames are JSON-RPC responses (the dispatcher's are checked with their request).
        if (path === '/ws') contract.wsFrame(frame);
        else if (path === '/mcp') contract.mcp(null, frame);
      } catch {
        contract.wsFrame(String(data));
      }
      send(data, ...rest);
    }) as typeof socket.send;
  });
}
