/**
 * TypeBox schemas: the single source for validation (here, in the server and in the clients),
 * for `/schema`, `/tasks`, OpenAPI and the static types. The few rules JSON Schema cannot state
 * (weights not all zero, a finite weight sum, the seed's digit-string form) are checked right
 * after the schema, in the same function, so every transport refuses the same things.
 */
import { Compile } from 'typebox/compile';
import { invalidAction, invalidRequest, type ValidationIssue } from './errors.ts';
import type { Action } from './types.ts';
import { ActionSchema, MAX_SEED } from './spaces.ts';
import { ALL_STRATEGIES } from './strategies/names.ts';

const actionCheck = Compile(ActionSchema);

function pathToLoc(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const unknownStrategy = (allowed: readonly string[]) => `unknown strategy (allowed: ${allowed.join(', ')}; keys are case-sensitive)`;

/** Turns the schema checker's errors into clear FastAPI-style entries, one per offending field. */
function describeActionErrors(value: unknown, allowed: readonly string[]): ValidationIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ loc: [], msg: 'the action must be a JSON object', type: 'model_type' }];
  }
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  /** Lists the issue unless the field has one already (the checker may report a field under two keywords). */
  const addIssue = (loc: string[], msg: string, type: string) => {
    const key = loc.join('/');
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ loc, msg, type });
  };
  for (const e of actionCheck.Errors(value)) {
    let loc = pathToLoc(e.instancePath);
    let msg: string;
    let type: string;
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
        for (const field of missing) addIssue([...loc, field], 'Field required', 'missing');
        continue;
      }
      case 'additionalProperties': {
        // The same unknown keys as the per-key `boolean` errors: one issue per key, never two.
        const names = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
        for (const name of names) addIssue([...loc, name], unknownStrategy(allowed), 'extra_forbidden');
        continue;
      }
      case 'boolean':
        msg = unknownStrategy(allowed);
        type = 'extra_forbidden';
        break;
      case 'minProperties':
        msg = `strategy_weights cannot be empty (give at least one of: ${allowed.join(', ')})`;
        type = 'too_short';
        break;
      case 'enum':
        msg = "Input should be 'select_batch' or 'stop'";
        type = 'literal_error';
        break;
      case 'minimum':
        msg = 'Input should be greater than or equal to 0';
        type = 'greater_than_equal';
        break;
      case 'type': {
        const expected = (e.params as { type?: string }).type;
        const field = loc[loc.length - 1];
        if (expected === 'integer') {
          msg = 'Input should be a finite whole JSON number (e.g. 10 or 10.0; not a string or boolean)';
          type = 'int_type';
        } else if (expected === 'number') {
          msg = 'Input should be a finite JSON number (not a string or boolean)';
          type = 'float_type';
        } else if (expected === 'object') {
          msg = `${field ?? 'value'} should be an object`;
          type = field === undefined ? 'model_type' : 'dict_type';
        } else {
          msg = `Input should be of type ${expected}`;
          type = `${expected}_type`;
        }
        break;
      }
      default:
        msg = e.message;
        type = e.keyword;
    }
    addIssue(loc, msg, type);
  }
  return issues;
}

/** One issue per weight key the schema knows but `allowed` does not (key order). */
function notAllowedIssues(value: unknown, allowed: readonly string[], seen: Set<string>): ValidationIssue[] {
  if (typeof value !== 'object' || value === null) return [];
  const weights = (value as { strategy_weights?: unknown }).strategy_weights;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) return [];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(weights)) {
    if (allowed.includes(key) || !(ALL_STRATEGIES as readonly string[]).includes(key)) continue;
    if (seen.has(`strategy_weights/${key}`)) continue;
    issues.push({ loc: ['strategy_weights', key], msg: unknownStrategy(allowed), type: 'extra_forbidden' });
  }
  return issues;
}

/**
 * Validates an action (docs/protocol.md §2.2, docs/behaviour.md D5) and returns it with its weights in their
 * original key order. `allowed` is the strategies the task accepts (default: every strategy any
 * task accepts, for the transports, which check the action before they know the episode; the
 * environment checks again with its task's list, so a name the task does not accept is refused
 * with that task's list). Throws `EnvError` (`VALIDATION_ERROR` / `invalid_action`) with one issue
 * per problem; `loc` is relative to the action.
 */
export function parseAction(value: unknown, allowed: readonly string[] = ALL_STRATEGIES): Action {
  if (!actionCheck.Check(value)) {
    const issues = describeActionErrors(value, allowed);
    const seen = new Set(issues.map((i) => i.loc.join('/')));
    issues.push(...notAllowedIssues(value, allowed, seen));
    throw invalidAction(issues.length > 0 ? issues : [{ loc: [], msg: 'invalid action', type: 'value_error' }]);
  }
  const refused = notAllowedIssues(value, allowed, new Set());
  if (refused.length > 0) throw invalidAction(refused);
  const weights = value.strategy_weights as Record<string, number>;
  let sum = 0;
  for (const k in weights) sum += weights[k];
  if (!Number.isFinite(sum)) {
    throw invalidAction([
      { loc: ['strategy_weights'], msg: 'the sum of the weights is not finite', type: 'value_error' },
    ]);
  }
  if (!(sum > 0)) {
    throw invalidAction([
      { loc: ['strategy_weights'], msg: 'at least one weight must be greater than 0', type: 'value_error' },
    ]);
  }
  return value as Action;
}

const SEED_DIGITS = /^[0-9]{1,10}$/;

/**
 * A seed (D13): an integral JSON number or a string of 1–10 digits, at most 2^32−1; `null` or
 * `undefined` mean the default. Anything else throws `invalid_request` with `loc` `['seed']`.
 */
export function parseSeed(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  let n: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && SEED_DIGITS.test(value)) n = Number(value);
  if (n === undefined || n < 0 || n > MAX_SEED) {
    throw invalidRequest(
      [
        {
          loc: ['seed'],
          msg: `seed must be an integer from 0 to ${MAX_SEED} (a JSON number or a string of digits)`,
          type: 'seed_range',
        },
      ],
      `Invalid seed ${JSON.stringify(value) ?? String(value)}: must be an integer from 0 to ${MAX_SEED}`,
    );
  }
  return n;
}

/** A task id field: a string, or null/undefined for the default; anything else is `invalid_request`. */
export function parseTaskField(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') {
    throw invalidRequest([{ loc: ['task_id'], msg: 'task_id must be a string or null', type: 'string_type' }]);
  }
  return value;
}
