/**
 * Request bodies (docs/protocol.md §1, §6). Fastify hands every body over as raw bytes (its JSON
 * parser would accept what we must refuse and refuse what we must accept); here the media type
 * is checked, the bytes decoded as strict UTF-8 and parsed as standard JSON (RFC 8259: JSON.parse
 * refuses NaN and Infinity literals, which is exactly the rule).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../protocol/errors.ts';
import { NO_BODY } from '../protocol/requests.ts';
import { invalidJson } from './errors.ts';

export { NO_BODY };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True for a missing Content-Type, `application/json` or any `type/subtype+json` (parameters ignored). */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const media = header.split(';')[0].trim().toLowerCase();
  if (media === '' || media === 'application/json') return true;
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(media);
}

/** Installs the raw-bytes parser for every content type, with the configured size limit. */
export function registerBodyParser(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => {
    done(null, body);
  });
}

export class UnsupportedMediaType extends ApiError {
  constructor(contentType: string) {
    super(
      'VALIDATION_ERROR',
      'unsupported_media_type',
      `Unsupported Content-Type '${contentType}': send application/json (or a */*+json type).`,
    );
  }
}

/** The raw bytes of a request body, or null when there were none. */
function rawBody(request: FastifyRequest): Buffer | null {
  const body = request.body as unknown;
  if (body === undefined || body === null) return null;
  if (Buffer.isBuffer(body)) return body.length === 0 ? null : body;
  return null;
}

/** Decodes and parses bytes as one standard JSON value (INVALID_JSON otherwise). */
export function parseJsonBytes(bytes: Buffer | Uint8Array, loc: (string | number)[] = ['body'], parse: (text: string) => unknown = JSON.parse): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalidJson('the body is not valid UTF-8', loc);
  }
  return parseJsonText(text, loc, parse);
}

export function parseJsonText(text: string, loc: (string | number)[] = ['body'], parse: (text: string) => unknown = JSON.parse): unknown {
  try {
    return parse(text);
  } catch (e) {
    throw invalidJson(e instanceof Error ? e.message : 'malformed JSON', loc);
  }
}

/**
 * The parsed JSON body, or NO_BODY for an absent or empty body. A non-empty body with a non-JSON
 * media type is refused (415) before it is parsed.
 */
export function readJsonBody(request: FastifyRequest, parse?: (text: string) => unknown): unknown {
  const bytes = rawBody(request);
  if (bytes === null) return NO_BODY;
  const contentType = request.headers['content-type'];
  if (!isJsonMediaType(contentType)) throw new UnsupportedMediaType(contentType ?? '');
  return parseJsonBytes(bytes, ['body'], parse);
}

/**
 * The text of a WebSocket message. Text frames were UTF-8-checked by ws; binary frames are
 * decoded here (§7.6) and give null when they are not valid UTF-8.
 */
export function decodeFrame(raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): string | null {
  const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  if (!isBinary) return bytes.toString('utf8');
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * JSON text of a reply. NaN and ±Infinity are not JSON and JSON.stringify would silently write
 * them as null (docs/protocol.md §1: never sent): a reply holding one is a bug, reported as `internal`.
 */
export function toJson(value: unknown): string {
  // JSON.stringify writes a non-finite number as `null`: text without "null" held none, and is
  // the same text the checking replacer gives (a replacer costs a call into JS per value).
  const text = JSON.stringify(value);
  if (text === undefined || text.indexOf('null') === -1) return text;
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new ApiError('EXECUTION_ERROR', 'internal', 'Internal error: the environment produced a non-finite number.');
    }
    return v;
  });
}
