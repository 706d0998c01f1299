/**
 * Golden traces (`dataselectenv-golden-trace/1`, ../shared/reference/golden/README.md): loading,
 * and the comparison rule — floats match when |a − b| ≤ 1e-9 or ≤ 1e-9·max(|a|, |b|); integers,
 * booleans and strings exactly. A replay driver feeds the actions to some target (in process, or a
 * server) and reports the first difference per trace.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const TOLERANCE = 1e-9;

export interface TraceStep {
  t: number;
  action: unknown;
  accepted: boolean;
  error?: { kind: string; http_status: number };
  observation: Record<string, number>;
  reward: number | null;
  done: boolean;
  info: Record<string, number> | null;
  derived?: {
    pool_size_before?: number;
    batch?: { requested: number; effective: number; n_u?: number; n_d?: number; n_r?: number };
    uncertainty_idx?: number[];
    diversity_idx?: number[];
    random_idx?: number[];
    train_order?: number[];
    rng?: { pos: number; key_sha256_16: string; has_gauss: number | boolean; cached_gaussian: number };
  };
}

export interface Trace {
  format: string;
  task_id: string;
  seed: number;
  policy: string;
  actions: unknown[];
  initial_observation: Record<string, number>;
  initial_rng?: { pos: number; key_sha256_16: string };
  steps: TraceStep[];
  final_state: Record<string, unknown>;
  grade: { task_id: string; score: number; passed: boolean; breakdown: Record<string, number> };
}

export interface LoadedTrace {
  file: string;
  name: string;
  trace: Trace;
}

/** Every `*.json` trace under the given files or directories, sorted by name. */
export function loadTraces(paths: string[]): LoadedTrace[] {
  const files: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p)) if (f.endsWith('.json')) files.push(path.join(p, f));
    } else files.push(p);
  }
  files.sort();
  const out: LoadedTrace[] = [];
  for (const file of files) {
    const trace = JSON.parse(readFileSync(file, 'utf8')) as Trace;
    if (trace.format !== 'dataselectenv-golden-trace/1') continue;
    out.push({ file, name: path.basename(file, '.json'), trace });
  }
  return out;
}

export function floatsMatch(a: number, b: number): boolean {
  if (a === b) return true;
  const d = Math.abs(a - b);
  return d <= TOLERANCE || d <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Compares `actual` with `expected` by the golden rule and returns the first difference as a
 * readable string, or null. Objects: every key of `expected` must match; with `exactKeys`, the key
 * sets must also be equal. Numbers compare as floats (an integral 15 equals 15.0).
 */
export function firstDifference(
  where: string,
  actual: unknown,
  expected: unknown,
  exactKeys = false,
): string | null {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return `${where}: expected ${expected}, got ${JSON.stringify(actual)}`;
    return floatsMatch(actual, expected) ? null : `${where}: expected ${expected}, got ${actual} (diff ${Math.abs(actual - expected)})`;
  }
  if (expected === null || typeof expected !== 'object') {
    return actual === expected ? null : `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) return `${where}: expected length ${expected.length}, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = firstDifference(`${where}[${i}]`, actual[i], expected[i], exactKeys);
      if (d) return d;
    }
    return null;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
    return `${where}: expected an object, got ${JSON.stringify(actual)}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    if (!(k in a)) return `${where}.${k}: missing`;
    const d = firstDifference(`${where}.${k}`, a[k], e[k], exactKeys);
    if (d) return d;
  }
  if (exactKeys) {
    for (const k of Object.keys(a)) if (!(k in e)) return `${where}.${k}: unexpected key`;
  }
  return null;
}

export interface TraceResult {
  name: string;
  task_id: string;
  seed: number;
  policy: string;
  steps: number;
  ok: boolean;
  /** First difference, or the error that stopped the replay. */
  difference: string | null;
}

/** The result of replaying `loaded`: a match when `difference` is null. */
export function traceResult(loaded: LoadedTrace, difference: string | null): TraceResult {
  const { trace, name } = loaded;
  return {
    name,
    task_id: trace.task_id,
    seed: trace.seed,
    policy: trace.policy,
    steps: trace.steps.length,
    ok: difference === null,
    difference,
  };
}

export interface ReplayReport {
  matched: number;
  total: number;
  results: TraceResult[];
}

export function summarise(results: TraceResult[]): ReplayReport {
  return { matched: results.filter((r) => r.ok).length, total: results.length, results };
}

export const OBSERVATION_KEYS = [
  'remaining_budget',
  'diversity_score',
  'noise_estimate',
  'current_performance',
  'samples_available',
] as const;

export const FINAL_STATE_KEYS = ['task_id', 'step_count', 'done', 'remaining_budget', 'current_performance', 'pool_size'] as const;

/** The trace's keys of a selection step's info (the reply may carry `terms` besides). */
export function infoDifference(where: string, actual: unknown, expected: Record<string, number> | null): string | null {
  if (expected === null) return null;
  if (Object.keys(expected).length === 0) return firstDifference(where, actual, {}, true);
  const d = firstDifference(where, actual, expected);
  if (d) return d;
  const extra = Object.keys(actual as object).filter((k) => !(k in expected) && k !== 'terms');
  return extra.length > 0 ? `${where}.${extra[0]}: unexpected key` : null;
}
