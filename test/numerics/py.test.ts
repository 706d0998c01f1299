import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { pyRound } from '../../src/numerics/py-round.ts';
import { PySet, pySetOrder } from '../../src/numerics/py-set.ts';
import { debugFixture } from '../helpers.ts';

describe('CPython 3.11 set order', () => {
  it('docs/numerics.md §8 examples', () => {
    assert.deepEqual(pySetOrder([1050, 3, 17, 8, 1000]), [3, 8, 1000, 17, 1050]);
    assert.deepEqual(pySetOrder([0, 8, 16, 24, 32, 40]), [0, 32, 8, 40, 16, 24]);
    assert.deepEqual(pySetOrder([5, 4, 3, 2, 1, 13, 21, 29, 37, 1029]), [1, 2, 3, 4, 5, 37, 1029, 13, 21, 29]);
    assert.deepEqual(
      pySetOrder([1058, 981, 1079], [629, 980, 149], [132, 691, 851, 776]),
      [1058, 132, 776, 691, 980, 629, 981, 1079, 149, 851],
    );
  });
  it('the first-step fixture', () => {
    const fs = debugFixture('first_step_easy_s42');
    assert.deepEqual(pySetOrder(fs.uncertainty_idx, fs.diversity_idx, fs.random_idx), fs.train_order);
  });

  // The documented algorithm's invariants, on many random cases: the listing is a permutation
  // of the distinct keys; with fewer keys than slots/…, keys whose home slot is free in a
  // sparse table come out in slot order; and the order does not depend on how updates are split.
  it('property: a permutation of the distinct keys, independent of how updates are split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }), fc.nat(400), (keys, cut) => {
        const order = pySetOrder(keys);
        assert.deepEqual([...order].sort((a, b) => a - b), [...new Set(keys)].sort((a, b) => a - b));
        const c = Math.min(cut, keys.length);
        assert.deepEqual(pySetOrder(keys.slice(0, c), keys.slice(c)), order);
      }),
      { numRuns: 300 },
    );
  });
  it('property: keys below the table size that never collide list in ascending order', () => {
    // With distinct keys < final table size and no collisions, every key sits in its home slot.
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }), (keys) => {
        assert.deepEqual(pySetOrder(keys), [...keys].sort((a, b) => a - b));
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { minLength: 5, maxLength: 18 }), (keys) => {
        // 5..18 keys live in a 32-slot table after the first resize: home slot = key.
        assert.deepEqual(pySetOrder(keys), [...keys].sort((a, b) => a - b));
      }),
    );
  });
  it('property: table growth thresholds (8 → 32 at the 5th key, → 128 at the 19th, → 512 at the 77th)', () => {
    // Multiples of 512 all share home slot 0 until the table exceeds 512 slots, so their order
    // reveals the probe sequence; consecutive integers reveal the table size (ascending order).
    for (const n of [4, 5, 18, 19, 76, 77, 306, 307]) {
      const keys = Array.from({ length: n }, (_, i) => n - 1 - i);
      assert.deepEqual(pySetOrder(keys), [...keys].sort((a, b) => a - b), `n=${n}`);
    }
  });
  it('clear resets the table', () => {
    const s = new PySet();
    s.update([1050, 3, 17, 8, 1000, 5, 9, 11]);
    s.clear();
    s.update([1050, 3, 17, 8, 1000]);
    assert.deepEqual(s.toList(), [3, 8, 1000, 17, 1050]);
  });
});

describe('Python round(x, n)', () => {
  it('docs/numerics.md §9 examples', () => {
    assert.equal(pyRound(0.03125, 4), 0.0312);
    assert.equal(pyRound(0.09375, 4), 0.0938);
    assert.equal(pyRound(0.15625, 4), 0.1562);
    assert.equal(pyRound(-0.03125, 4), -0.0312);
    assert.equal(pyRound(0.6877621531010043, 4), 0.6878);
    assert.equal(pyRound(2.675, 2), 2.67);
    assert.ok(Object.is(pyRound(-0.00001, 4), -0));
    assert.equal(pyRound(0.41749695621347815, 4), 0.4175);
    assert.equal(pyRound(0.7018980399039016, 4), 0.7019);
  });
  it('property: ties (odd multiples of 1/32) go to the even 4th digit', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20000, max: 20000 }), (k) => {
        const x = (2 * k + 1) / 32;
        const r = pyRound(x, 4);
        const digits = Math.round(Math.abs(r) * 1e4);
        assert.equal(digits % 2, 0, `${x} → ${r}`);
        assert.ok(Math.abs(Math.abs(r) - Math.abs(x)) <= 0.00005 + 1e-12);
      }),
    );
  });
  it('property: agrees with toFixed away from ties', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        if (Number.isInteger(x * 32) && Math.abs((x * 32) % 2) === 1) return;
        const r = pyRound(x, 4);
        assert.equal(r === 0 ? 0 : r, Number(x.toFixed(4)) === 0 ? 0 : Number(x.toFixed(4)));
      }),
    );
  });
});
