/**
 * The strategy library's own golden traces (fixtures/strategies.jsonl.gz, recorded by
 * tools/record-strategy-traces.ts): every library strategy alone and two mixes on curation-hard,
 * one defaulting and one clean source. Replayed in process they must match exactly (observations
 * with the per-strategy statistics, rewards, flags, info, every library strategy's picks, the
 * random stream after each step, the grade), and the comparison must be able to fail.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LIBRARY_STRATEGIES } from '../../../src/env/strategies/names.ts';
import { loadTraces } from '../../../src/replay/trace.ts';
import { assertAllReplay, replayEdited } from '../../helpers.ts';

const BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'strategies.jsonl.gz');

describe('strategy golden traces', () => {
  const traces = loadTraces([BUNDLE]);
  it('18 traces: each library strategy and two mixes, in both regimes', () => {
    assert.equal(traces.length, 18);
    const regimes = new Set(traces.map((t) => t.trace.grade.breakdown.regime));
    assert.deepEqual([...regimes].sort(), ['clean', 'defaulting']);
    for (const s of LIBRARY_STRATEGIES) assert.equal(traces.filter((t) => t.trace.policy === `${s}_b10`).length, 2, s);
  });
  it('every trace matches in process', () => {
    assertAllReplay(traces, 18);
  });
  it('the comparison can fail: picks, per-strategy statistics and the stream are checked', () => {
    const original = traces.find((t) => t.name === 'curation-hard-s5-mix_library_b10')!;
    const perturb = (edit: (t: any) => void) => replayEdited(original, edit).difference;
    assert.match(perturb((t) => t.steps[1].derived.library_idx.badge.reverse())!, /library_idx/);
    assert.match(perturb((t) => (t.steps[2].observation.last_batch.committee.disagree += 1e-7))!, /committee/);
    assert.match(perturb((t) => (t.steps[0].derived.rng.pos += 1))!, /rng/);
    assert.match(perturb((t) => (t.steps[0].info.split.coreset -= 1))!, /split\.coreset/);
  });
});
