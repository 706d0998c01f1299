import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDifference, floatsMatch } from '../../src/replay/trace.ts';
import { runBaseline } from '../../src/env/baseline.ts';
import { CLASSIC, assertAllReplay, classicTraces, replayEdited } from '../helpers.ts';

describe('golden traces replayed in process', () => {
  const traces = classicTraces();
  it('finds all 270 public traces', () => {
    assert.equal(traces.length, 270);
  });
  it('every trace matches (observations, rewards, done, info, sampler picks, RNG, final state, grade)', () => {
    assertAllReplay(traces, 270);
  });
  it('the comparison can fail: a perturbed reward, observation or refusal is reported', () => {
    const original = traces.find((t) => t.name === 'hard-s42-quirk_unknown_key')!;
    const perturb = (edit: (t: any) => void) => replayEdited(original, edit);
    const r1 = perturb((t) => (t.steps[0].reward += 2e-9));
    assert.equal(r1.ok, false);
    assert.match(r1.difference!, /step t=0 reward/);
    const r2 = perturb((t) => (t.steps[0].observation.samples_available = 1091));
    assert.match(r2.difference!, /samples_available/);
    const r3 = perturb((t) => (t.steps[1].accepted = true));
    assert.match(r3.difference!, /refused/);
    const r4 = perturb((t) => (t.grade.score = 0.5));
    assert.match(r4.difference!, /grade\.score/);
  });
});

describe('tolerance rule', () => {
  it('absolute or relative 1e-9', () => {
    assert.ok(floatsMatch(1, 1 + 5e-10));
    assert.ok(!floatsMatch(1, 1 + 3e-9));
    assert.ok(floatsMatch(1e6, 1e6 * (1 + 5e-10)));
    assert.ok(!floatsMatch(0.1, 0.1 + 1e-8));
    assert.equal(firstDifference('x', 15, 15.0), null);
    assert.match(firstDifference('x', '15', 15)!, /expected 15/);
    assert.match(firstDifference('x', { a: 1, b: 2 }, { a: 1 }, true)!, /unexpected key/);
  });
});

describe('baseline agent', () => {
  it("equals the original's /baseline output (golden/baseline.json) within 1e-9", () => {
    const expected = CLASSIC.json('baseline.json');
    const actual = runBaseline();
    assert.equal(firstDifference('baseline', actual, expected, true), null);
    assert.equal(actual.results.easy.score, 0.7018980399039016);
    assert.equal(actual.results.medium.score, 0.66);
    assert.equal(actual.results.hard.score, 0.4175);
  });
});
