/** Shared test helpers: where the read-only reference material lives, and float comparison. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `../shared` beside the repository (CI lays it there); DATASELECTENV_SHARED overrides. */
export const SHARED_DIR = process.env.DATASELECTENV_SHARED ?? path.resolve(REPO_ROOT, '..', 'shared');
export const GOLDEN_DIR = path.join(SHARED_DIR, 'reference', 'golden');
export const TRACES_DIR = path.join(GOLDEN_DIR, 'traces');

if (!existsSync(GOLDEN_DIR)) {
  throw new Error(`reference material not found at ${GOLDEN_DIR}; set DATASELECTENV_SHARED`);
}

const cache = new Map<string, unknown>();
/** Parsed JSON of a file under reference/golden/debug (cached: some are megabytes). */
export function debugFixture<T = any>(name: string): T {
  const file = path.join(GOLDEN_DIR, 'debug', `${name}.json`);
  if (!cache.has(file)) cache.set(file, JSON.parse(readFileSync(file, 'utf8')));
  return cache.get(file) as T;
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
