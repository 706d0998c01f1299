/**
 * coreset, density and badge against brute-force references: explicit centre sets recomputed
 * from scratch at every pick (coreset), the O(n²) similarity mean (density), and explicit K·d
 * gradient embeddings with explicit distances and the same D² draw (badge).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { badge } from '../../../src/env/strategies/badge.ts';
import { coreset, minSqDistToLabelled } from '../../../src/env/strategies/coreset.ts';
import { density, meanSimilarity } from '../../../src/env/strategies/density.ts';
import { RandomState } from '../../../src/numerics/random-state.ts';
import { caseArb, row, run, sortedBy, type Case } from './helpers.ts';

const sq = (a: number[], b: number[]) => a.reduce((s, v, j) => s + (v - b[j]) ** 2, 0);

function coresetReference(c: Case): number[] {
  const { n, d, m, X, labelledX } = c.ctx;
  const centres: number[][] = [];
  for (let r = 0; r < m; r++) centres.push(row(labelledX, r, d));
  const taken = new Set<number>();
  for (let i = 0; i < n; i++) if (c.exclude[i] !== 0) { centres.push(row(X, i, d)); taken.add(i); }
  const picks: number[] = [];
  while (picks.length < c.count) {
    let best = -1;
    let bestD = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken.has(i)) continue;
      const x = row(X, i, d);
      const delta = centres.length === 0 ? Infinity : Math.min(...centres.map((cc) => sq(x, cc)));
      if (best < 0 || delta > bestD) { best = i; bestD = delta; }
    }
    if (best < 0) break;
    picks.push(best);
    taken.add(best);
    centres.push(row(X, best, d));
  }
  return picks;
}

describe('coreset (k-center greedy)', () => {
  it('matches the from-scratch farthest-first reference', () => {
    fc.assert(fc.property(caseArb(), (c) => assert.deepEqual(run(coreset, c), coresetReference(c))), { numRuns: 300 });
    fc.assert(fc.property(caseArb({ grid: false }), (c) => assert.deepEqual(run(coreset, c), coresetReference(c))), { numRuns: 200 });
  });
  it('gives the same picks with the cached min-distances', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const plain = run(coreset, c);
        const cache = { minSqDistToLabelled: minSqDistToLabelled(c.ctx, new Float64Array(c.ctx.n)) };
        assert.deepEqual(run(coreset, { ...c, ctx: { ...c.ctx, cache } }), plain);
      }),
      { numRuns: 100 },
    );
  });
});

describe('density (information density)', () => {
  it('matches (1 − max p) · mean 1/(1 + ‖x − x′‖) over the candidates', () => {
    fc.assert(
      fc.property(caseArb({ grid: false }), (c) => {
        const { n, K, d, X, proba } = c.ctx;
        const sim = (i: number) => {
          let s = 0;
          for (let r = 0; r < n; r++) s += 1 / (1 + Math.sqrt(sq(row(X, i, d), row(X, r, d))));
          return s / n;
        };
        const ref = sortedBy((i) => (1 - Math.max(...row(proba, i, K))) * sim(i), c).slice(0, c.count);
        assert.deepEqual(run(density, c), ref);
      }),
      { numRuns: 300 },
    );
  });
  it('uses a supplied similarity cache (a different reference set changes the picks accordingly)', () => {
    fc.assert(
      fc.property(caseArb({ grid: false }), fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), (c, s) => {
        const meanSim = Float64Array.from(s.slice(0, c.ctx.n));
        const ref = sortedBy((i) => (1 - Math.max(...row(c.ctx.proba, i, c.ctx.K))) * meanSim[i], c).slice(0, c.count);
        assert.deepEqual(run(density, { ...c, ctx: { ...c.ctx, cache: { meanSimilarity: meanSim } } }), ref);
      }),
      { numRuns: 100 },
    );
  });
  it('meanSimilarity of a point set to itself is 1 for one point and symmetric in its pairs', () => {
    const X = Float64Array.from([0, 0, 3, 4]);
    const out = meanSimilarity(X, 2, X, 2, 2, new Float64Array(2));
    assert.deepEqual(Array.from(out), [(1 + 1 / 6) / 2, (1 + 1 / 6) / 2]);
  });
});

function badgeReference(c: Case, draws = { n: 0 }): number[] {
  const { n, K, d, X, proba } = c.ctx;
  const rng = RandomState.fromSeed(c.seed);
  const g: number[][] = [];
  for (let i = 0; i < n; i++) {
    const p = row(proba, i, K);
    const top = p.indexOf(Math.max(...p));
    const x = row(X, i, d);
    const e: number[] = [];
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) e.push((p[k] - (k === top ? 1 : 0)) * x[j]);
    g.push(e);
  }
  const norm = (v: number[]) => v.reduce((s, x) => s + x * x, 0);
  const centres: number[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < n; i++) if (c.exclude[i] !== 0) { centres.push(i); taken.add(i); }
  const picks: number[] = [];
  while (picks.length < c.count) {
    const left = [...Array(n).keys()].filter((i) => !taken.has(i));
    if (left.length === 0) break;
    let pick: number;
    if (centres.length === 0) {
      const best = Math.max(...left.map((i) => norm(g[i])));
      pick = left.find((i) => norm(g[i]) >= best * (1 - 1e-12))!;
    } else {
      const D2 = left.map((i) => Math.min(...centres.map((cc) => {
        const v = sq(g[i], g[cc]);
        return v <= 1e-12 * (norm(g[i]) + norm(g[cc])) ? 0 : v;
      })));
      const total = D2.reduce((s, v) => s + v, 0);
      if (total > 0) {
        const target = rng.nextDouble() * total;
        draws.n++;
        let cum = 0;
        pick = -1;
        for (let t = 0; t < left.length; t++) {
          if (D2[t] === 0) continue;
          cum += D2[t];
          pick = left[t];
          if (cum > target) break;
        }
      } else {
        pick = left[0];
      }
    }
    picks.push(pick);
    taken.add(pick);
    centres.push(pick);
  }
  return picks;
}

describe('badge (k-means++ on gradient embeddings)', () => {
  it('matches explicit embeddings, explicit distances and the same D² draws', () => {
    fc.assert(fc.property(caseArb({ grid: false }), (c) => assert.deepEqual(run(badge, c), badgeReference(c))), { numRuns: 300 });
  });
  it('handles duplicated rows (distance exactly 0 never drawn) like the reference', () => {
    fc.assert(fc.property(caseArb({ grid: true }), (c) => assert.deepEqual(run(badge, c), badgeReference(c))), { numRuns: 300 });
  });
  it('is deterministic given the stream and draws exactly the reference\'s uniforms (one per D² pick)', () => {
    fc.assert(
      fc.property(caseArb({ grid: false }), (c) => {
        const a = run(badge, c);
        const after = c.ctx.rng.fingerprint();
        const again = run(badge, { ...c, ctx: { ...c.ctx, rng: RandomState.fromSeed(c.seed) } });
        assert.deepEqual(again, a);
        const draws = { n: 0 };
        badgeReference(c, draws);
        const expected = RandomState.fromSeed(c.seed);
        for (let t = 0; t < draws.n; t++) expected.nextDouble();
        assert.deepEqual(after, expected.fingerprint());
      }),
      { numRuns: 200 },
    );
  });
});

describe('meanSelfSimilarity', () => {
  it('is bit-identical to meanSimilarity of a set with itself (half the distances)', async () => {
    const { meanSelfSimilarity } = await import('../../../src/env/strategies/density.ts');
    fc.assert(
      fc.property(caseArb({ grid: false, maxN: 30 }), (c) => {
        const { n, d, X } = c.ctx;
        const a = meanSimilarity(X, n, X, n, d, new Float64Array(n));
        const b = meanSelfSimilarity(X, n, d, new Float64Array(n));
        assert.deepEqual(Array.from(b), Array.from(a));
      }),
      { numRuns: 200 },
    );
  });
});
