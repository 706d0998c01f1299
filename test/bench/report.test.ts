import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { compareToBaseline, mergeBaseline, parseBaseline, type Baseline, type Figure } from '../../tools/bench-report.ts';

const base: Baseline = {
  written: '2026-12-02T00:00:00.000Z',
  loadavg: [1, 1, 1],
  quick: false,
  figures: [
    { section: 'in-process', name: 'reset easy', value: 0.4, unit: 'ms', better: 'lower' },
    { section: 'ws', name: 'closed loop', value: 4000, unit: 'steps/s', better: 'higher' },
  ],
};
const fig = (name: string, value: number, unit: string, better: 'lower' | 'higher', section = name.startsWith('reset') ? 'in-process' : 'ws'): Figure => ({ section, name, value, unit, better });

describe('bench baseline comparison', () => {
  it('flags a time more than the tolerance above its baseline, not one within it', () => {
    const slow = compareToBaseline(fig('reset easy', 0.7, 'ms', 'lower'), base, 0.5);
    assert.equal(slow.regressed, true);
    assert.ok(Math.abs(slow.worse! - 0.75) < 1e-12);
    const ok = compareToBaseline(fig('reset easy', 0.55, 'ms', 'lower'), base, 0.5);
    assert.equal(ok.regressed, false);
    assert.equal(ok.baseline, 0.4);
  });
  it('a throughput regresses when it falls: worse = baseline / value − 1', () => {
    const c = compareToBaseline(fig('closed loop', 2000, 'steps/s', 'higher'), base, 0.5);
    assert.equal(c.worse, 1);
    assert.equal(c.regressed, true);
    const better = compareToBaseline(fig('closed loop', 8000, 'steps/s', 'higher'), base, 0.5);
    assert.equal(better.worse, -0.5);
    assert.equal(better.regressed, false);
  });
  it('never flags without a baseline entry, with another unit, or without a direction', () => {
    assert.equal(compareToBaseline(fig('reset hard', 9, 'ms', 'lower'), base, 0.1).regressed, false);
    assert.equal(compareToBaseline(fig('reset easy', 900, 'µs', 'lower'), base, 0.1).regressed, false);
    assert.equal(compareToBaseline({ section: 'in-process', name: 'reset easy', value: 9, unit: 'ms' }, base, 0.1).regressed, false);
    assert.equal(compareToBaseline(fig('reset easy', 9, 'ms', 'lower'), null, 0.1).regressed, false);
  });
  it('writing keeps the entries of sections not run and replaces the others', () => {
    const next = mergeBaseline(base, [fig('reset easy', 0.3, 'ms', 'lower')], { written: 'now', loadavg: [2, 2, 2], quick: true });
    assert.equal(next.figures.length, 2);
    assert.equal(next.figures.find((e) => e.name === 'reset easy')!.value, 0.3);
    assert.equal(next.figures.find((e) => e.name === 'closed loop')!.value, 4000);
    assert.deepEqual(parseBaseline(JSON.stringify(next)), next);
  });
  it('a malformed baseline is refused with a message', () => {
    assert.throws(() => parseBaseline('{"figures": 3}'), /not a bench baseline/);
    assert.throws(() => parseBaseline('{"written": "x", "figures": [{"name": 1}]}'), /malformed entry/);
  });
  it('the committed bench/baseline.json parses and covers the in-process figures of every task', () => {
    const b = parseBaseline(readFileSync(new URL('../../bench/baseline.json', import.meta.url), 'utf8'));
    for (const task of ['easy', 'medium', 'hard', 'curation-easy', 'curation-medium', 'curation-hard']) {
      assert.ok(b.figures.some((e) => e.section === 'in-process' && e.name === `reset ${task}`), `reset ${task}`);
      assert.ok(b.figures.some((e) => e.section === 'in-process' && e.name === `step ${task}`), `step ${task}`);
    }
  });
});
