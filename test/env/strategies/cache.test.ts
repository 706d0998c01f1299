/**
 * PoolStrategyCache: over an episode (rows leave the pool, labelled rows accumulate, coreset runs
 * only at some steps) its caches equal, exactly, what coreset and density compute from scratch:
 * the min squared distance of each remaining row to every labelled row, and the mean similarity
 * to the initial pool.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PoolStrategyCache, candidateMeanSimilarity, initialPoolSimilarity, poolSimilarityMatrix } from '../../../src/env/strategies/cache.ts';
import { minSqDistToLabelled } from '../../../src/env/strategies/coreset.ts';
import { meanSelfSimilarity, meanSimilarity } from '../../../src/env/strategies/density.ts';
import { RandomState } from '../../../src/numerics/random-state.ts';
import { makeModel } from './helpers.ts';

describe('PoolStrategyCache', () => {
  it('matches the from-scratch values at every step of a random episode', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1e6 }), (nPool, d, seed) => {
        const rs = RandomState.fromSeed(seed);
        const poolX = rs.standardNormal(nPool * d);
        const seedRows = rs.standardNormal(3 * d);
        const data = {};
        const cache = new PoolStrategyCache(nPool);
        let ids = Array.from({ length: nPool }, (_, i) => i);
        let labelled: number[] = Array.from(seedRows);
        let m = 3;
        for (let step = 0; ids.length > 0 && step < 8; step++) {
          const withMinSq = rs.randint(0, 2) === 1;
          const view = { poolX, d, ids: Int32Array.from(ids), n: ids.length, labelledX: Float64Array.from(labelled), m, dataKey: data };
          const got = cache.fill(view, withMinSq, true);
          const X = new Float64Array(ids.length * d);
          ids.forEach((id, q) => X.set(poolX.subarray(id * d, (id + 1) * d), q * d));
          const ctx = { n: ids.length, K: 2, d, proba: new Float64Array(ids.length * 2), X, m, labelledX: view.labelledX, labelledY: new Int32Array(m), rng: rs, makeModel };
          if (withMinSq) assert.deepEqual(Array.from(got.minSqDistToLabelled!), Array.from(minSqDistToLabelled(ctx, new Float64Array(ids.length))));
          else assert.equal(got.minSqDistToLabelled, undefined);
          const all = meanSimilarity(poolX, nPool, poolX, nPool, d, new Float64Array(nPool));
          assert.deepEqual(Array.from(got.meanSimilarity!), ids.map((id) => all[id]));
          // Buy up to 3 rows: they join the labelled set and leave the pool.
          const take = Math.min(ids.length, 1 + rs.randint(0, 3));
          for (let t = 0; t < take; t++) {
            const q = rs.randint(0, ids.length);
            labelled = labelled.concat(Array.from(poolX.subarray(ids[q] * d, (ids[q] + 1) * d)));
            m++;
            ids = ids.filter((_, i) => i !== q);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
  it('computes the initial pool similarity once per data key', () => {
    const key = {};
    const X = Float64Array.from([0, 1, 2, 3]);
    const a = initialPoolSimilarity(key, X, 4, 1);
    assert.equal(initialPoolSimilarity(key, Float64Array.from([9, 9, 9, 9]), 4, 1), a);
    assert.notEqual(initialPoolSimilarity({}, X, 4, 1), a);
  });

  it('the pool similarity matrix gives density\'s own similarities over the current candidates, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (nPool, d, seed, grid) => {
        const rs = RandomState.fromSeed(seed);
        // A coarse grid makes equal rows (distance 0) and ties likely.
        const poolX = grid ? Float64Array.from({ length: nPool * d }, () => rs.randint(-2, 3) / 2) : rs.standardNormal(nPool * d);
        const M = poolSimilarityMatrix({}, poolX, nPool, d);
        let ids = Array.from({ length: nPool }, (_, i) => i);
        while (ids.length > 0) {
          const n = ids.length;
          const X = new Float64Array(n * d);
          ids.forEach((id, q) => X.set(poolX.subarray(id * d, (id + 1) * d), q * d));
          const want = meanSelfSimilarity(X, n, d, new Float64Array(n));
          const got = candidateMeanSimilarity(M, nPool, Int32Array.from(ids), n, new Float64Array(n));
          for (let q = 0; q < n; q++) assert.ok(Object.is(got[q], want[q]), `candidate ${q} of ${n}: ${got[q]} vs ${want[q]}`);
          // Rows leave the pool (order kept), as in an episode.
          const take = Math.min(n, 1 + rs.randint(0, 4));
          for (let t = 0; t < take; t++) ids.splice(rs.randint(0, ids.length), 1);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('keeps the similarity matrix per key (the same object again for the same key)', () => {
    const key = {};
    const poolX = RandomState.fromSeed(3).standardNormal(20 * 3);
    const a = poolSimilarityMatrix(key, poolX, 20, 3);
    assert.equal(poolSimilarityMatrix(key, poolX, 20, 3), a);
    assert.equal(a[0], 1);
    assert.equal(a[1 * 20 + 2], a[2 * 20 + 1]);
  });
});
