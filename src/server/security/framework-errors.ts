/**
 * Errors raised below the routes (issue 13 item 9): the HTTP parser's (oversized headers, bad
 * framing, Content-Length with Transfer-Encoding, timeouts) and the router's (bad percent-encoding,
 * over-long path parameters). Fastify answers these with its own body, or for parser errors a raw
 * response of its own; here they get the `{detail, code, reason}` shape like every other error.
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rawProblemResponse, sendProblem, type Problem } from './problem.ts';

/** Node's parser error codes worth their own message; any other HPE_* is "malformed request". */
function parserProblem(code: string | undefined, requestTimeoutS: number): Problem {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'TIMEOUT',
        reason: 'request_timeout',
        detail: `The request (headers and body) did not arrive within ${requestTimeoutS} s.`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'VALIDATION_ERROR', reason: 'headers_too_large', detail: 'Request headers (with the URL) too large.' };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return {
        status: 400,
        code: 'VALIDATION_ERROR',
        reason: 'malformed_request',
        detail: 'Malformed HTTP request: Content-Length together with Transfer-Encoding.',
      };
    default:
      return {
        status: 400,
        code: 'VALIDATION_ERROR',
        reason: 'malformed_request',
        detail: `Malformed HTTP request${code ? ` (${code})` : ''}.`,
      };
  }
}

/**
 * The server's `clientError` handler. Like Node's own it answers only when no response has
 * started on the socket, then destroys the connection (the byte stream cannot be trusted).
 */
export function clientErrorHandler(requestTimeoutS: number, onReject?: (p: Problem) => void) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = parserProblem(err.code, requestTimeoutS);
    onReject?.(problem);
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !current?.headersSent) socket.end(rawProblemResponse(problem));
    // end() flushes the reply first; destroy anyway if the peer never reads it.
    setTimeout(() => socket.destroy(), 1000).unref();
  };
}

/** fastify's `frameworkErrors`: router errors that happen before a route is chosen. */
export function frameworkErrorHandler(onReject?: (p: Problem, request: FastifyRequest) => void) {
  return (err: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    let problem: Problem;
    if (err.code === 'FST_ERR_BAD_URL') {
      problem = { status: 400, code: 'VALIDATION_ERROR', reason: 'invalid_url', detail: 'The URL is not validly percent-encoded.' };
    } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      problem = { status: 414, code: 'VALIDATION_ERROR', reason: 'uri_too_long', detail: 'A path parameter of the URL is too long.' };
    } else {
      problem = { status: 400, code: 'VALIDATION_ERROR', reason: 'malformed_request', detail: 'The request could not be routed.' };
    }
    onReject?.(problem, request);
    sendProblem(reply, problem);
  };
}
