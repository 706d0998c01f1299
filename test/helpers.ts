/** Test helpers: the bundled reference fixtures, and float comparison. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openFamily } from '../src/fixtures/bundle.ts';
import type { Grade } from '../src/env/types.ts';
import { replayInProcessWith } from '../src/replay/inprocess.ts';
import { type LoadedTrace, type TraceResult, summarise, tracesOf } from '../src/replay/trace.ts';
import type { MakeEnvOptions } from '../src/env/make.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The bundled reference fixtures of the classic family (fixtures/, read through src/fixtures). */
export const CLASSIC = openFamily('classic');

/**
 * `../shared/reference` beside the repository when present (CI lays it there; DATASELECTENV_SHARED
 * overrides), else null. Tests never need it: they may additionally compare the bundle with it.
 */
export const SHARED_REFERENCE_DIR: string | null = (() => {
  const dir = path.join(process.env.DATASELECTENV_SHARED ?? path.resolve(REPO_ROOT, '..', 'shared'), 'reference');
  return existsSync(path.join(dir, 'golden')) ? dir : null;
})();

/** The bundled reference fixtures of the curation family (traces, manifest, anchors.json). */
export const CURATION = openFamily('curation');

/** The bundled curation golden traces whose file name matches `filter` (all by default). */
export function curationTraces(filter: (name: string) => boolean = () => true): LoadedTrace[] {
  return tracesOf(CURATION).filter((t) => filter(t.name));
}

/** The bundled classic golden traces whose file name matches `filter` (all by default). */
export function classicTraces(filter: (name: string) => boolean = () => true): LoadedTrace[] {
  return tracesOf(CLASSIC).filter((t) => filter(t.name));
}

/** Parsed JSON of a debug fixture (`debug/NAME.json` of the classic family; cached). */
export function debugFixture<T = any>(name: string): T {
  return CLASSIC.json<T>(`debug/${name}.json`);
}

/** Replays `traces` in process (with environment `options`) and asserts that all `expected` match, naming any that does not. */
export function assertAllReplay(traces: LoadedTrace[], expected: number, options: MakeEnvOptions = {}): void {
  const report = summarise(traces.map((t) => replayInProcessWith(t, options)));
  assert.deepEqual(report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.difference}`), []);
  assert.equal(report.matched, expected);
}

/** Replays in process a copy of `original` whose trace `edit` changed (the comparison must notice). */
export function replayEdited(original: LoadedTrace, edit: (trace: any) => void): TraceResult {
  const copy = structuredClone(original);
  edit(copy.trace);
  return replayInProcessWith(copy, {});
}

/** A Gymnasium-style environment as the hidden-truth tests drive it. */
interface PlayableEnv {
  reset(options: { task: string; seed: number }): unknown;
  step(action: unknown): unknown;
  readonly done: boolean;
  grade(): Grade;
}

/**
 * Plays `actions` on two environments from the same reset until the first is done, asserting that
 * every reply is the same; returns both grades (the hidden-truth tests: scrambled hidden data must
 * change the grade and nothing before it).
 */
export function playTwins(a: PlayableEnv, b: PlayableEnv, reset: { task: string; seed: number }, actions: readonly unknown[]): [Grade, Grade] {
  assert.deepEqual(b.reset(reset), a.reset(reset));
  for (const action of actions) {
    if (a.done) break;
    assert.deepEqual(b.step(action), a.step(action));
  }
  return [a.grade(), b.grade()];
}

/** Episode data as the hidden-truth tests scramble it (classic-like families: curation, data sets). */
interface DataWithHidden {
  rngAfter: { clone(): unknown };
  hidden: { regime: string; testX: Float64Array };
}

/**
 * A copy of `data` for the hidden-truth tests: its generator state cloned, its hidden part replaced
 * by `scramble(hidden)` with the regime swapped (clean ↔ defaulting) and the test features moved
 * and negated.
 */
export function withScrambledHidden<D extends DataWithHidden>(data: D, scramble: (hidden: D['hidden']) => Omit<D['hidden'], 'regime' | 'testX'>): D {
  const h = data.hidden;
  const testX = h.testX.slice();
  for (let i = 0; i < testX.length; i++) testX[i] = -testX[(i * 7919) % testX.length] + 0.5;
  const hidden = { ...scramble(h), regime: h.regime === 'clean' ? 'defaulting' : 'clean', testX } as D['hidden'];
  return { ...data, rngAfter: data.rngAfter.clone(), hidden };
}

/**
 * The "each rule can fail" tests of an environment checker (src/env/checker.ts,
 * src/env/vector-checker.ts): one test per case, in which `check` runs the checker on an
 * environment broken by `defect` and returns its report; the report must fail, with a failure of
 * `rule` that its text `format(report)` shows, and `expectFailure` may hold that failure to more.
 * A last test asserts that every one of `rules` has a case.
 */
export function eachRuleCanFail<R extends string, Report extends { ok: boolean; failures: { rule: R }[] }>(
  cases: readonly (readonly [defect: string, rule: R])[],
  rules: readonly R[],
  check: (defect: string) => Report | Promise<Report>,
  format: (report: Report) => string,
  expectFailure: (failure: Report['failures'][number], defect: string) => void = () => {},
): void {
  for (const [defect, rule] of cases) {
    test(`${defect} breaks ${rule}`, async () => {
      const report = await check(defect);
      const formatted = format(report);
      assert.equal(report.ok, false);
      const failed = new Set(report.failures.map((f) => f.rule));
      assert.ok(failed.has(rule), `${defect}: expected a ${rule} failure, got ${[...failed].join(', ')}\n${formatted}`);
      assert.match(formatted, new RegExp(`FAIL ${rule}`));
      expectFailure(report.failures.find((f) => f.rule === rule)!, defect);
    });
  }
  test('every rule has a broken environment that trips it', () => {
    assert.deepEqual([...new Set(cases.map(([, r]) => r))].sort(), [...rules].sort());
  });
}

/** A loopback port nothing listens on (bound, then released): for a server to start on, or a refused connection. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Largest |a[i] − b[i]| over two equally long numeric sequences (asserts the lengths). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure below
  }
  return m;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'values'): number {
  const d = maxAbsDiff(actual, expected);
  assert.ok(d <= tol, `${what}: max abs diff ${d} > ${tol}`);
  return d;
}

export function assertNear(actual: number, expected: number, tol: number, what = 'value'): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tol ${tol})`);
}

/** True when two numeric sequences are equally long and equal bit for bit (NaN equals NaN, −0 differs from 0). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * Runs `run` with a kernel switch (`useMtKernel`, `useSgdKernel`: they set it and return the
 * previous setting) set to `on`, and puts the previous setting back afterwards.
 */
export function withKernelSwitch<T>(useKernel: (on: boolean) => boolean, on: boolean, run: () => T): T {
  const was = useKernel(on);
  try {
    return run();
  } finally {
    useKernel(was);
  }
}

/** Flattens a row-major list of rows. */
export function flat(rows: number[][]): Float64Array {
  const cols = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => out.set(r, i * cols));
  return out;
}
