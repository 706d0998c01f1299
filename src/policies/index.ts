/**
 * Policies: functions from an observation to an action. The built-ins are the fixed policies
 * whose scores docs/behaviour.md ("Known properties") lists as measured on the reference, so an evaluation can be checked against
 * those numbers; a user policy is any module whose default export is such a function.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BALANCED_ACTION } from '../env/baseline.ts';
import type { Action, Observation } from '../env/types.ts';

export interface PolicyContext {
  task_id: string;
  seed: number;
  /** Steps already taken in this episode (0 before the first). */
  step: number;
}

export type Policy = (observation: Observation, context: PolicyContext) => Action | Promise<Action>;

const fixed =
  (action: Action): Policy =>
  () =>
    structuredClone(action);

/** Built-in policies by name; each entry describes what it plays (shown by `eval --help`). */
export const BUILTIN_POLICIES: Readonly<Record<string, { description: string; policy: Policy }>> = Object.freeze({
  balanced: {
    description: "the original baseline: batch 10, weights {uncertainty .4, diversity .4, random .2}",
    policy: fixed(BALANCED_ACTION),
  },
  random: {
    description: 'batch 10, random sampling only {random: 1}',
    policy: fixed({ action_type: 'select_batch', batch_size: 10, strategy_weights: { random: 1 } }),
  },
  uncertainty: {
    description: 'batch 10, uncertainty only {uncertainty: 1} (the environment still adds 1 random row)',
    policy: fixed({ action_type: 'select_batch', batch_size: 10, strategy_weights: { uncertainty: 1 } }),
  },
  diversity: {
    description: 'batch 10, diversity only {diversity: 1} (the environment still adds 1 random row)',
    policy: fixed({ action_type: 'select_batch', batch_size: 10, strategy_weights: { diversity: 1 } }),
  },
  'stop-immediately': {
    description: 'stop at the first step (the reward-hacking policy of docs/behaviour.md)',
    policy: fixed({ action_type: 'stop', batch_size: 0, strategy_weights: { random: 1 } }),
  },
});

export class PolicyError extends Error {
  readonly code = 'POLICY_ERROR';
  readonly reason: 'unknown_policy' | 'load_failed' | 'not_a_function';
  constructor(reason: PolicyError['reason'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PolicyError';
    this.reason = reason;
  }
}

export interface LoadedPolicy {
  /** The built-in name, or the module path as given. */
  name: string;
  policy: Policy;
}

/** A spec is a module path when it looks like one (a separator or a script extension). */
function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.(m?js|m?ts|cjs|cts)$/.test(spec);
}

/**
 * Resolves a built-in name or loads a module (relative to `cwd`) whose default export is the
 * policy function.
 */
export async function loadPolicy(spec: string, cwd = process.cwd()): Promise<LoadedPolicy> {
  const builtin = BUILTIN_POLICIES[spec];
  if (builtin) return { name: spec, policy: builtin.policy };
  if (!looksLikePath(spec)) {
    throw new PolicyError(
      'unknown_policy',
      `Unknown policy '${spec}'. Built-in: ${Object.keys(BUILTIN_POLICIES).join(', ')}; or give a module path (e.g. ./my-policy.ts) whose default export is (observation) => action.`,
    );
  }
  const file = path.resolve(cwd, spec);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    throw new PolicyError('load_failed', `Cannot load policy module ${file}: ${(e as Error).message}`, e);
  }
  if (typeof mod.default !== 'function') {
    throw new PolicyError('not_a_function', `Policy module ${file} must default-export a function (observation, context) => action; its default export is ${typeof mod.default}.`);
  }
  return { name: spec, policy: mod.default as Policy };
}
