/**
 * Request fields every transport shares (docs/protocol.md §4.6, §4.7, §7.3, §8.3), parsed into values
 * or `invalid_request` errors whose `loc` is relative to the object that held them; each
 * transport prefixes it (`body`, `data`, `arguments`).
 */
import type { TSchema } from 'typebox';
import { unknownTask, type ValidationIssue } from '../env/errors.ts';
import { ApiError, asApiError, fromEnvError, invalidRequest } from './errors.ts';
import { parseAction, parseSeed, parseTaskField } from '../env/schemas.ts';
import { selectFromSplit } from '../env/splits.ts';
import { DEFAULT_SEED, DEFAULT_TASK, TASK_IDS, getTask } from '../env/tasks.ts';
import type { Action } from '../env/types.ts';
import {
  EpisodeParamsSchema,
  EpisodesQuerySchema,
  GraderRequestSchema,
  JsonRpcRequestSchema,
  MAX_EPISODE_ID_CHARS,
  MAX_LABEL_CHARS,
  ResetRequestSchema,
  StateQuerySchema,
  StepRequestSchema,
  SplitRequestSchema,
  TaskRangeRequestSchema,
  TaskRequestSchema,
} from './wire.ts';

export { MAX_EPISODE_ID_CHARS, MAX_LABEL_CHARS };

export interface ResetRequest {
  /** null = default task. */
  task_id: string | null;
  /** null = the default seed (or, with a split, the split's choice). */
  seed: number | null;
  /** null = generate one. */
  episode_id: string | null;
  label: string | null;
  /** Task API selection (OpenEnv's reset(split=…, index=…)); null = none. */
  split: string | null;
  index: number | null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Marks a request that carried no body at all, or an empty one. */
export const NO_BODY: unique symbol = Symbol('no body');

const codePoints = (s: string) => [...s].length;
// Printable: no C0 controls, DEL or C1 controls (they break logs, URLs and terminals).
const NON_PRINTABLE = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * An identifier or label is text: well-formed Unicode (no lone surrogate, which a store would
 * silently turn into U+FFFD and so make two ids equal) and no control characters.
 */
export function isCleanText(value: string): boolean {
  return value.isWellFormed() && !NON_PRINTABLE.test(value);
}

/** A required episode id naming an existing episode (grader, state, history): a clean string. */
export function parseEpisodeIdRef(value: unknown, field = 'episode_id'): string {
  if (value === undefined || value === null) {
    throw invalidRequest([{ loc: [field], msg: 'Field required', type: 'missing' }]);
  }
  if (typeof value !== 'string') {
    throw invalidRequest([{ loc: [field], msg: 'Input should be a valid string', type: 'string_type' }]);
  }
  if (!isCleanText(value)) {
    throw invalidRequest([
      { loc: [field], msg: `${field} must be well-formed Unicode without control characters`, type: 'string_pattern_mismatch' },
    ]);
  }
  return value;
}

/** An optional episode id: a string of 1–255 printable characters; null, absent or "" = none (§11 item 18). */
export function parseEpisodeIdField(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    throw invalidRequest([{ loc: ['episode_id'], msg: 'episode_id must be a string or null', type: 'string_type' }]);
  }
  if (codePoints(value) > MAX_EPISODE_ID_CHARS || !isCleanText(value)) {
    throw invalidRequest([
      {
        loc: ['episode_id'],
        msg: `episode_id must be 1 to ${MAX_EPISODE_ID_CHARS} printable characters (well-formed Unicode, no control characters)`,
        type: 'string_pattern_mismatch',
      },
    ]);
  }
  return value;
}

/** An optional label: a string of at most 64 code points, or null. */
export function parseLabelField(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw invalidRequest([{ loc: ['label'], msg: 'label must be a string or null', type: 'string_type' }]);
  }
  if (codePoints(value) > MAX_LABEL_CHARS) {
    throw invalidRequest([
      { loc: ['label'], msg: `label must be at most ${MAX_LABEL_CHARS} characters`, type: 'string_too_long' },
    ]);
  }
  if (!isCleanText(value)) {
    throw invalidRequest([
      { loc: ['label'], msg: 'label must be well-formed Unicode without control characters', type: 'string_pattern_mismatch' },
    ]);
  }
  return value;
}

/**
 * The fields of a reset, from an object (`{}` for "defaults"). Unknown keys are ignored. The
 * task id is only type-checked here: whether it exists is `invalid_task`, checked by the caller.
 */
export function parseResetRequest(value: unknown): ResetRequest {
  if (value === undefined || value === null) value = {};
  if (!isPlainObject(value)) {
    throw invalidRequest([{ loc: [], msg: 'the request must be a JSON object', type: 'model_type' }]);
  }
  const errors: ApiError[] = [];
  const take = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      const error = asApiError(e);
      if (error) {
        errors.push(error);
        return fallback;
      }
      throw e;
    }
  };
  const task_id = take(() => (value.task_id === undefined || value.task_id === null ? null : parseTaskField(value.task_id, '')), null);
  const seed = take(() => (value.seed === undefined || value.seed === null ? null : parseSeed(value.seed, DEFAULT_SEED)), null);
  const episode_id = take(() => parseEpisodeIdField(value.episode_id), null);
  const label = take(() => parseLabelField(value.label), null);
  const split = take(() => parseSplitField(value.split), null);
  const index = take(() => parseIndexField(value.index, value.split), null);
  // One problem keeps its own message (e.g. the seed's range); several are listed together.
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw invalidRequest(errors.flatMap((e): ValidationIssue[] => e.issues));
  if (split === null) return { task_id, seed, episode_id, label, split, index };
  // A split (with or without index) decides the task and the seed; it is a pure function of the request.
  const entry = within([], () => selectFromSplit(split, { index, taskId: task_id, seed }, { task: DEFAULT_TASK, seed: DEFAULT_SEED }));
  return { task_id: entry.task_id, seed: entry.seed, episode_id, label, split, index };
}

/** An optional split name (whether it exists is `invalid_split`, checked when resolving it). */
export function parseSplitField(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidRequest([{ loc: ['split'], msg: 'split must be a string or null', type: 'string_type' }]);
  return value;
}

/** An optional split index: a non-negative integer, only together with a split. */
export function parseIndexField(value: unknown, split: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidRequest([{ loc: ['index'], msg: 'index must be a non-negative integer', type: 'int_type' }]);
  }
  if (split === undefined || split === null) {
    throw invalidRequest([{ loc: ['index'], msg: 'index needs a split (e.g. "split": "test")', type: 'missing' }]);
  }
  return value;
}

/** Copies an error with every issue's `loc` prefixed (e.g. `['body', 'action']`). */
export function prefixLoc(error: ApiError, prefix: (string | number)[]): ApiError {
  if (error.issues.length === 0) return error;
  return new ApiError(
    error.code,
    error.reason,
    error.message,
    error.issues.map((i) => ({ ...i, loc: [...prefix, ...i.loc] })),
  );
}

/** Runs a field parser and prefixes the locations of its problems with `prefix`. */
export function within<T>(prefix: (string | number)[], parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    const error = asApiError(e);
    throw error ? prefixLoc(error, prefix) : e;
  }
}

function requireObjectBody(body: unknown, what: string): Record<string, unknown> {
  if (body === NO_BODY) {
    throw invalidRequest([{ loc: ['body'], msg: `a JSON object body is required (${what})`, type: 'missing' }]);
  }
  if (!isPlainObject(body)) {
    throw invalidRequest([{ loc: ['body'], msg: 'the body must be a JSON object', type: 'model_type' }]);
  }
  return body;
}

// ─── HTTP request parts (the validators the routes' schemas compile to) ─────────────────────

/** POST /reset: no body, `{}` or `null` = defaults (§4.6). */
export function parseResetBody(body: unknown): ResetRequest {
  return within(['body'], () => parseResetRequest(body === NO_BODY ? null : body));
}

export interface StepRequest {
  action: Action;
  /** null = the most recent HTTP episode (§3.2). */
  episode_id: string | null;
  /** The number this step will have (the reply's `step`): makes a retry idempotent. */
  step: number | undefined;
}

/** POST /step (§4.7): the request's shape first, then the action. */
export function parseStepBody(body: unknown): StepRequest {
  const b = requireObjectBody(body, '{"action": {...}, "episode_id"?: "..."}');
  if (!('action' in b)) throw invalidRequest([{ loc: ['body', 'action'], msg: 'Field required', type: 'missing' }]);
  const episode_id = within(['body'], () => parseEpisodeIdField(b.episode_id));
  const action = within(['body', 'action'], () => parseAction(b.action));
  const raw = b.step;
  let step: number | undefined;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 1_000_000) {
      throw invalidRequest([{ loc: ['body', 'step'], msg: 'step must be an integer from 1 (the number this step will have)', type: 'int_type' }]);
    }
    step = raw;
  }
  return { action, episode_id, step };
}

export interface GraderRequest {
  episode_id: string;
  /** null = the episode's own task (a different one is refused with task_mismatch). */
  task_id: string | null;
}

/** POST /grader (§4.10): `episode_id` required; `task_id` optional, one issue per bad field. */
export function parseGraderBody(body: unknown): GraderRequest {
  const b = requireObjectBody(body, '{"episode_id": "...", "task_id"?: "..."}');
  const issues: ValidationIssue[] = [];
  let episode_id = '';
  try {
    episode_id = within(['body'], () => parseEpisodeIdRef(b.episode_id));
  } catch (e) {
    const error = asApiError(e);
    if (!error) throw e;
    issues.push(...error.issues);
  }
  const task = b.task_id;
  if (task !== undefined && task !== null && typeof task !== 'string') {
    issues.push({ loc: ['body', 'task_id'], msg: 'Input should be a valid string', type: 'string_type' });
  }
  if (issues.length > 0) throw invalidRequest(issues);
  return { episode_id, task_id: (task as string | null | undefined) ?? null };
}

/** A query parameter as one string; repeated parameters keep the last; empty = absent (§1). */
function queryValue(query: unknown, name: string): string | undefined {
  const q = (isPlainObject(query) ? query : {}) as Record<string, unknown>;
  const raw = q[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** GET /state: `episode_id` absent or empty = the most recent HTTP episode (§4.8). */
export function parseStateQuery(query: unknown): { episode_id: string | undefined } {
  const id = queryValue(query, 'episode_id');
  return { episode_id: id === undefined ? undefined : within(['query'], () => parseEpisodeIdRef(id)) };
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export interface Cursor {
  finished_ms: number;
  seq: number;
}

/** `next_before` is opaque to clients; inside it is "finished_ms.seq" of the page's last row. */
export function encodeCursor(c: Cursor): string {
  return `${c.finished_ms}.${c.seq}`;
}

export interface EpisodesQuery {
  task_id: string | undefined;
  limit: number;
  before: Cursor | undefined;
  /** An export format (jsonl, openenv): the streamed export reads its own filters. */
  format: string | undefined;
  /** With a format: the query as sent, for the export's own filters. */
  raw?: unknown;
}

/** GET /episodes (§4.13): `limit` 1 … 1000, `before` a previous `next_before`, a known task. */
export function parseEpisodesQuery(query: unknown): EpisodesQuery {
  const format = queryValue(query, 'format');
  // `?format=jsonl|openenv` streams the export, whose filters (and limit) are its own.
  if (format !== undefined && format !== 'json') return { task_id: undefined, limit: DEFAULT_PAGE, before: undefined, format, raw: query };
  const task_id = queryValue(query, 'task_id');
  const limitText = queryValue(query, 'limit');
  const beforeText = queryValue(query, 'before');
  let limit = DEFAULT_PAGE;
  if (limitText !== undefined) {
    limit = /^[0-9]{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE)) {
      throw invalidRequest([{ loc: ['query', 'limit'], msg: `limit must be an integer from 1 to ${MAX_PAGE}`, type: 'int_parsing' }]);
    }
  }
  let before: Cursor | undefined;
  if (beforeText !== undefined) {
    const m = /^([0-9]{1,15})\.([0-9]{1,15})$/.exec(beforeText);
    if (!m) {
      throw invalidRequest([
        { loc: ['query', 'before'], msg: 'before must be the next_before value of a previous page', type: 'value_error' },
      ]);
    }
    before = { finished_ms: Number(m[1]), seq: Number(m[2]) };
  }
  if (task_id !== undefined && !getTask(task_id)) throw fromEnvError(unknownTask(task_id, TASK_IDS));
  return { task_id, limit, before, format: undefined };
}

/** GET /episodes/{id}. */
export function parseEpisodeParams(params: unknown): { id: string } {
  const p = (isPlainObject(params) ? params : {}) as Record<string, unknown>;
  return { id: within(['path'], () => parseEpisodeIdRef(p.id, 'id')) };
}

/**
 * The parser behind each request schema: a route declares the schema (for OpenAPI and the
 * validator), the server's validator compiler runs this parser, and the handler receives its
 * typed result. The parsers apply the schema's rules plus those JSON Schema cannot state, with
 * the located, FastAPI-style issues the protocol promises (§5). POST /mcp's body is checked by
 * the JSON-RPC dispatcher itself (its errors are JSON-RPC errors with HTTP 200, §8.1).
 */
const PARSERS = new WeakMap<TSchema, (value: unknown) => unknown>([
  [ResetRequestSchema, parseResetBody],
  [StepRequestSchema, parseStepBody],
  [GraderRequestSchema, parseGraderBody],
  [StateQuerySchema, parseStateQuery],
  [EpisodesQuerySchema, parseEpisodesQuery],
  [EpisodeParamsSchema, parseEpisodeParams],
  [JsonRpcRequestSchema, (value) => value],
  // The Task API handlers read their own bodies and parameters (server/routes/task-api.ts).
  [SplitRequestSchema, (value) => value],
  [TaskRequestSchema, (value) => value],
  [TaskRangeRequestSchema, (value) => value],
]);

/** Registers the parser behind a request schema declared elsewhere (e.g. routes.ts). */
export function registerRequestParser(schema: TSchema, parse: (value: unknown) => unknown): void {
  PARSERS.set(schema, parse);
}

export function requestParserFor(schema: unknown): ((value: unknown) => unknown) | undefined {
  return typeof schema === 'object' && schema !== null ? PARSERS.get(schema as TSchema) : undefined;
}
