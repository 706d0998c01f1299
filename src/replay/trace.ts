/**
 * Golden traces (`dataselectenv-golden-trace/1`, docs/fixtures.md): loading,
 * and the comparison rule — floats match when |a − b| ≤ 1e-9 or ≤ 1e-9·max(|a|, |b|); integers,
 * booleans and strings exactly. A replay driver feeds the actions to some target (in process, or a
 * server) and reports the first difference per trace.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  FAMILIES,
  type Family,
  findFamily,
  FixtureError,
  isBundleFile,
  openBundle,
  openFamily,
  type ReferenceFiles,
} from '../fixtures/bundle.ts';

export const TOLERANCE = 1e-9;

export interface TraceStep {
  t: number;
  action: unknown;
  accepted: boolean;
  error?: { kind: string; http_status: number };
  observation: Record<string, number>;
  reward: number | null;
  done: boolean;
  /** Curation traces: the Gymnasium flags of accepted steps. */
  terminated?: boolean;
  truncated?: boolean;
  info: Record<string, unknown> | null;
  derived?: {
    pool_size_before?: number;
    batch?: { requested: number; effective: number; n_u?: number; n_d?: number; n_r?: number };
    uncertainty_idx?: number[];
    diversity_idx?: number[];
    random_idx?: number[];
    train_order?: number[];
    /** Strategy-library traces: each weighted library strategy's picks. */
    library_idx?: Record<string, number[]>;
    /** Data-set traces: each strategy's picks (pool positions before the step). */
    picks?: Record<string, number[]>;
    rng?: { pos: number; key_sha256_16: string; has_gauss: number | boolean; cached_gaussian: number };
  };
}

export interface Trace {
  format: string;
  /** `curation` for the curation family's traces; absent in the classic ones. */
  family?: string;
  task_id: string;
  seed: number;
  policy: string;
  actions: unknown[];
  initial_observation: Record<string, number>;
  initial_rng?: { pos: number; key_sha256_16: string };
  steps: TraceStep[];
  final_state: Record<string, unknown>;
  grade: { task_id: string; score: number; passed: boolean; breakdown: Record<string, number | string> };
}

export interface LoadedTrace {
  /** Where it came from: a file path, or `bundle-file#traces/NAME.json`. */
  file: string;
  name: string;
  family: Family;
  trace: Trace;
}

const TRACE_FORMAT = 'dataselectenv-golden-trace/1';
const isTrace = (t: unknown): t is Trace =>
  typeof t === 'object' && t !== null && (t as Trace).format === TRACE_FORMAT && Array.isArray((t as Trace).steps);

/** The traces of a family's file set (its `traces/` folder), sorted by name. */
export function tracesOf(files: ReferenceFiles): LoadedTrace[] {
  return files.list('traces/').filter((p) => p.endsWith('.json')).map((p) => {
    const trace = files.json<Trace>(p);
    return { file: `${files.origin}#${p}`, name: path.posix.basename(p, '.json'), family: (trace as { family?: Family }).family ?? files.family, trace };
  });
}

/** The bundled traces of every family (or of those named), in family order. */
export function bundledTraces(families: readonly Family[] = FAMILIES): LoadedTrace[] {
  return families.flatMap((f) => tracesOf(openFamily(f)));
}

function traceFile(file: string): LoadedTrace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FixtureError((e as { code?: string }).code === 'ENOENT' ? 'not_found' : 'unreadable', `${file}: ${(e as { code?: string }).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  }
  let trace: unknown;
  try {
    trace = JSON.parse(text);
  } catch {
    throw new FixtureError('not_a_trace', `${file}: not a golden trace (not JSON)`);
  }
  if (!isTrace(trace)) throw new FixtureError('not_a_trace', `${file}: not a golden trace (no "format": "${TRACE_FORMAT}" with steps)`);
  return { file, name: path.basename(file, '.json'), family: (trace as { family?: Family }).family ?? 'classic', trace };
}

/**
 * The traces named by `paths`: trace files (`*.json`), bundles (`*.jsonl.gz`), folders of trace
 * files, folders of bundles (every family in it), or reference folders in the original layout
 * (`golden/`, `curation/`, or a family folder holding `traces/`). Sorted by name within each
 * argument. Throws a FixtureError (one line for the CLI) for a missing path, a file that is not
 * a trace, or an argument that holds no traces.
 */
export function loadTraces(paths: string[]): LoadedTrace[] {
  const out: LoadedTrace[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new FixtureError('not_found', `${p}: no such file or directory`);
    }
    const found: LoadedTrace[] = [];
    if (!st.isDirectory()) {
      if (isBundleFile(p)) found.push(...tracesOf(openBundle(p)));
      else found.push(traceFile(p));
    } else {
      const families = FAMILIES.map((f) => findFamily(f, p)).filter((f) => f !== null);
      if (families.length > 0) {
        for (const f of families) found.push(...tracesOf(f));
      } else if (existsSync(path.join(p, 'traces'))) {
        found.push(...loadTraces([path.join(p, 'traces')]));
      } else {
        let names: string[];
        try {
          names = readdirSync(p);
        } catch {
          throw new FixtureError('unreadable', `${p}: cannot be read`);
        }
        for (const f of names.filter((n) => n.endsWith('.json')).sort()) {
          try {
            found.push(traceFile(path.join(p, f)));
          } catch (e) {
            // A folder may hold other JSON beside the traces (a manifest): skip those.
            if (!(e instanceof FixtureError && e.reason === 'not_a_trace')) throw e;
          }
        }
      }
    }
    if (found.length === 0) throw new FixtureError('no_traces', `${p}: holds no golden traces`);
    out.push(...found);
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

/** `terminated` / `truncated` of an accepted step, when the trace records them (curation traces). */
export function flagsDifference(where: string, actual: { terminated?: unknown; truncated?: unknown }, step: TraceStep): string | null {
  if (step.terminated !== undefined) {
    const d = firstDifference(`${where} terminated`, actual.terminated, step.terminated);
    if (d) return d;
  }
  if (step.truncated !== undefined) return firstDifference(`${where} truncated`, actual.truncated, step.truncated);
  return null;
}

/** The trace's keys of a selection step's info (the reply may carry `terms` besides). */
export function infoDifference(where: string, actual: unknown, expected: Record<string, unknown> | null): string | null {
  if (expected === null) return null;
  if (Object.keys(expected).length === 0) return firstDifference(where, actual, {}, true);
  const d = firstDifference(where, actual, expected);
  if (d) return d;
  const extra = Object.keys(actual as object).filter((k) => !(k in expected) && k !== 'terms');
  return extra.length > 0 ? `${where}.${extra[0]}: unexpected key` : null;
}

/**
 * Breakdown keys added after some traces were recorded (the AUBC, src/env/metrics/aubc.ts): a
 * trace without one still compares its breakdown with exact keys, the added key aside.
 */
export const ADDED_BREAKDOWN_KEYS: readonly string[] = ['aubc'];

/** The grade breakdown by the golden rule, with exact keys except those a trace predates. */
export function breakdownDifference(where: string, actual: Record<string, unknown>, expected: Record<string, unknown>): string | null {
  const a = { ...actual };
  for (const k of ADDED_BREAKDOWN_KEYS) if (!(k in expected)) delete a[k];
  return firstDifference(where, a, expected, true);
}

/** What a transport answered to an accepted step, with the reward as a bare number. */
export interface StepOutcome {
  observation: unknown;
  reward: unknown;
  done: unknown;
  terminated?: unknown;
  truncated?: unknown;
  info: unknown;
}

/** An accepted step against the trace: the observation (exact keys), reward, done, the flags the trace records, the info. */
export function stepDifference(at: string, actual: StepOutcome, step: TraceStep): string | null {
  return (
    firstDifference(`${at} observation`, actual.observation, step.observation, true) ??
    firstDifference(`${at} reward`, actual.reward, step.reward) ??
    firstDifference(`${at} done`, actual.done, step.done) ??
    flagsDifference(at, actual, step) ??
    infoDifference(`${at} info`, actual.info, step.info)
  );
}

/** The final state against the trace's, on FINAL_STATE_KEYS. */
export function finalStateDifference(actual: unknown, trace: Trace): string | null {
  const expected = Object.fromEntries(FINAL_STATE_KEYS.map((k) => [k, trace.final_state[k]]));
  return firstDifference('final_state', actual, expected);
}

/** A grade as the transports return it (score, passed, breakdown) against the trace's. */
export function gradeDifference(actual: { score: unknown; passed: unknown; breakdown: Record<string, unknown> }, trace: Trace): string | null {
  return (
    firstDifference('grade.score', actual.score, trace.grade.score) ??
    firstDifference('grade.passed', actual.passed, trace.grade.passed) ??
    breakdownDifference('grade.breakdown', actual.breakdown, trace.grade.breakdown)
  );
}
