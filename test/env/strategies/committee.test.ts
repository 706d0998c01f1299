/**
 * committee against a brute-force reference: the same bootstrap draws from a fresh stream, each
 * member fitted and asked for every candidate one by one, votes and entropies computed from
 * plain arrays, a full lexicographic sort (vote entropy, consensus entropy, index).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { COMMITTEE_SIZE, committee } from '../../../src/env/strategies/committee.ts';
import { RandomState } from '../../../src/numerics/random-state.ts';
import { caseArb, makeModel, run, type Case } from './helpers.ts';

const H = (q: number[]) => q.reduce((h, v) => (v > 0 ? h - v * Math.log(v) : h), 0);

function reference(c: Case): number[] {
  const { n, K, d, m, X, labelledX, labelledY } = c.ctx;
  const rng = RandomState.fromSeed(c.seed);
  const votes = Array.from({ length: n }, () => new Array<number>(K).fill(0));
  const sums = Array.from({ length: n }, () => new Array<number>(K).fill(0));
  if (m > 0) {
    for (let member = 0; member < COMMITTEE_SIZE; member++) {
      const rows: number[] = [];
      for (let i = 0; i < m; i++) rows.push(rng.randint(0, m));
      const model = makeModel(d, K);
      model.fit(labelledX, rows, rows.map((r) => labelledY[r]), m);
      for (let i = 0; i < n; i++) {
        const p = Array.from(model.predictProbaInto(X, [i], 1, new Float64Array(K)));
        votes[i][p.indexOf(Math.max(...p))]++;
        for (let k = 0; k < K; k++) sums[i][k] += p[k];
      }
    }
  }
  const keyed = [];
  for (let i = 0; i < n; i++) {
    if (c.exclude[i] !== 0) continue;
    const ve = m > 0 ? H(votes[i].map((v) => v / COMMITTEE_SIZE)) : 0;
    const ce = m > 0 ? H(sums[i].map((s) => s / COMMITTEE_SIZE)) : 0;
    keyed.push({ i, ve, ce });
  }
  keyed.sort((a, b) => (a.ve !== b.ve ? b.ve - a.ve : a.ce !== b.ce ? b.ce - a.ce : a.i - b.i));
  return keyed.slice(0, Math.max(0, c.count)).map((e) => e.i);
}

describe('committee (query by committee, vote entropy)', () => {
  it('matches the brute-force reference (binary and multiclass members)', () => {
    fc.assert(fc.property(caseArb({ grid: false }), (c) => assert.deepEqual(run(committee, c), reference(c))), { numRuns: 150 });
    fc.assert(fc.property(caseArb({ grid: true, minM: 1 }), (c) => assert.deepEqual(run(committee, c), reference(c))), { numRuns: 150 });
  });
  it('draws m bootstrap indices per member from the episode stream, nothing when m = 0 or count = 0', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        run(committee, c);
        const expected = RandomState.fromSeed(c.seed);
        if (c.count > 0 && c.ctx.m > 0) for (let t = 0; t < COMMITTEE_SIZE * c.ctx.m; t++) expected.randint(0, c.ctx.m);
        assert.deepEqual(c.ctx.rng.fingerprint(), expected.fingerprint());
      }),
      { numRuns: 100 },
    );
  });
  it('members disagree where the data is ambiguous: a point between two classes outranks the far ones', () => {
    // Two well-separated classes on a line; candidates far left, far right and in the middle.
    const labelledX = Float64Array.from([-3, -2.5, -2, 2, 2.5, 3]);
    const labelledY = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const X = Float64Array.from([-4, 0.05, 4]);
    let middleFirst = 0;
    for (let seed = 0; seed < 20; seed++) {
      const ctx = { n: 3, K: 2, d: 1, proba: Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), X, m: 6, labelledX, labelledY, rng: RandomState.fromSeed(seed), makeModel };
      const out = new Int32Array(3);
      committee(ctx, 1, new Uint8Array(3), out);
      if (out[0] === 1) middleFirst++;
    }
    assert.equal(middleFirst, 20);
  });
});
