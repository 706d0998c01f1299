/**
 * Request fields every transport shares (docs/protocol.md §4.6, §4.7, §7.3, §8.3), parsed into values
 * or `invalid_request` errors whose `loc` is relative to the object that held them; each
 * transport prefixes it (`body`, `data`, `arguments`).
 */
import { EnvError, invalidRequest, type ValidationIssue } from '../env/errors.ts';
import { parseSeed, parseTaskField } from '../env/schemas.ts';
import { selectFromSplit } from '../env/splits.ts';
import { DEFAULT_SEED, DEFAULT_TASK } from '../env/tasks.ts';
import { MAX_EPISODE_ID_CHARS, MAX_LABEL_CHARS } from './wire.ts';

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

const codePoints = (s: string) => [...s].length;
// Printable: no C0 controls, DEL or C1 controls (they break logs, URLs and terminals).
const NON_PRINTABLE = /[\u0000-\u001f\u007f-\u009f]/;

/** An optional episode id: a string of 1–255 printable characters; null, absent or "" = none (§11 item 18). */
export function parseEpisodeIdField(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    throw invalidRequest([{ loc: ['episode_id'], msg: 'episode_id must be a string or null', type: 'string_type' }]);
  }
  if (codePoints(value) > MAX_EPISODE_ID_CHARS || NON_PRINTABLE.test(value)) {
    throw invalidRequest([
      {
        loc: ['episode_id'],
        msg: `episode_id must be 1 to ${MAX_EPISODE_ID_CHARS} printable characters`,
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
  const errors: EnvError[] = [];
  const take = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof EnvError) {
        errors.push(e);
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
  const entry = selectFromSplit(split, { index, taskId: task_id, seed }, { task: DEFAULT_TASK, seed: DEFAULT_SEED });
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
export function prefixLoc(error: EnvError, prefix: (string | number)[]): EnvError {
  if (error.issues.length === 0) return error;
  return new EnvError(
    error.code,
    error.reason,
    error.message,
    error.issues.map((i) => ({ ...i, loc: [...prefix, ...i.loc] })),
  );
}
