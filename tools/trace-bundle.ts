/**
 * What the golden-trace recorders (record-dataset-traces.ts, record-strategy-traces.ts) write the
 * same way: an accepted step's record (docs/fixtures.md) and the bundle file (the header line,
 * then one {path, text} line per file in path order, gzip level 9: same traces, same bytes).
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { StepResult } from '../src/env/types.ts';
import { BUNDLE_FORMAT } from '../src/fixtures/bundle.ts';
import { stepOutcome } from '../src/protocol/replies.ts';

/** An accepted step of a trace: the action, the reply's fields, and what the recorder derived. */
export function acceptedStep(t: number, action: unknown, r: StepResult, derived: unknown) {
  return { t, action, accepted: true, ...stepOutcome(r), derived };
}

/** Writes the bundle of `family` to `out`; returns its size in bytes. */
export function writeBundle(out: string, family: string, files: { path: string; text: string }[]): number {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lines = [JSON.stringify({ format: BUNDLE_FORMAT, family, files: sorted.length }), ...sorted.map((f) => JSON.stringify({ path: f.path, text: f.text }))];
  const gz = gzipSync(`${lines.join('\n')}\n`, { level: 9 });
  writeFileSync(out, gz);
  return gz.length;
}
