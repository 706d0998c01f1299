/**
 * Policies: functions from an observation to an action. The built-ins (builtin.ts, a pure module
 * the web console imports too) are the fixed policies whose scores docs/behaviour.md ("Known
 * properties") lists as measured on the reference, plus the curation family's reference rules; a
 * user policy is any module whose default export is such a function (loaded here, with Node).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LIBRARY_STRATEGIES } from '../env/strategies/names.ts';
import type { Action } from '../env/types.ts';
import { BUILTIN_POLICIES, type Policy } from './builtin.ts';

export { BUILTIN_POLICIES, createAdaptivePolicy, type BuiltinPolicy, type Policy, type PolicyContext } from './builtin.ts';

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
  /** A fresh instance per episode, for stateful built-ins. */
  create?: () => Policy;
}

/** A spec is a module path when it looks like one (a separator or a script extension). */
function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.(m?js|m?ts|cjs|cts)$/.test(spec);
}

/**
 * A library strategy's name plays it as a fixed policy, as `dataselectenv benchmark` does:
 * batch 10, `{strategy: 1}` (accepted by the curation and data-set tasks; a classic task refuses it).
 */
export function fixedStrategyPolicy(strategy: string): Policy {
  return (): Action => ({ action_type: 'select_batch', batch_size: 10, strategy_weights: { [strategy]: 1 } as Action['strategy_weights'] });
}

/**
 * Resolves a built-in name, a library strategy's name (a fixed policy) or loads a module (relative to `cwd`) whose default export is the
 * policy function.
 */
export async function loadPolicy(spec: string, cwd = process.cwd()): Promise<LoadedPolicy> {
  const builtin = BUILTIN_POLICIES[spec];
  if (builtin) return { name: spec, policy: builtin.policy, create: builtin.create };
  if ((LIBRARY_STRATEGIES as readonly string[]).includes(spec)) return { name: spec, policy: fixedStrategyPolicy(spec) };
  if (!looksLikePath(spec)) {
    throw new PolicyError(
      'unknown_policy',
      `Unknown policy '${spec}'. Built-in: ${Object.keys(BUILTIN_POLICIES).join(', ')}; a library strategy as a fixed policy: ${LIBRARY_STRATEGIES.join(', ')}; or give a module path (e.g. ./my-policy.ts) whose default export is (observation) => action.`,
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
