/** kthSmallest (src/numerics/reductions.ts) is `sorted[k]` of Float64Array.prototype.sort, to the bit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { kthSmallest } from '../../src/numerics/reductions.ts';
import { RandomState } from '../../src/numerics/random-state.ts';

describe('kthSmallest', () => {
  it('equals the sorted copy at k for any values (duplicates, ±0, NaN, infinities) and any k', () => {
    const value = fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }).map((x) => x / 2), fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), fc.nat(), (values, kk) => {
        const a = Float64Array.from(values);
        const k = kk % a.length;
        const want = a.slice().sort()[k];
        const got = kthSmallest(a, a.length, k, new Float64Array(a.length));
        assert.ok(Object.is(got, want), `k ${k}: ${got} vs ${want}`);
        assert.deepEqual(Array.from(a), values.map((v) => v), 'the input is left alone');
      }),
      { numRuns: 5000 },
    );
  });

  it('the curation threshold: every k of large gaussian arrays (the quickselect path)', () => {
    const rs = RandomState.fromSeed(9);
    for (const n of [2500, 1001, 64]) {
      const a = rs.standardNormal(n);
      const sorted = a.slice().sort();
      for (let k = 0; k < n; k += 37) assert.equal(kthSmallest(a, n, k, new Float64Array(n)), sorted[k]);
      assert.equal(kthSmallest(a, n, n - 1, new Float64Array(n)), sorted[n - 1]);
    }
  });
});
