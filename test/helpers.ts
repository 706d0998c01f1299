/** Test helpers: the bundled reference fixtures, and float comparison. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
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

/** Flattens a row-major list of rows. */
export function flat(rows: number[][]): Float64Array {
  const cols = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => out.set(r, i * cols));
  return out;
}
