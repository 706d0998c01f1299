/**
 * The score-based strategies against brute-force references on small generated inputs: every
 * candidate's score computed directly from its probability row, a full sort (score descending,
 * index ascending), the first `count` taken.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { diversity } from '../../../src/env/strategies/diversity.ts';
import { entropySampling } from '../../../src/env/strategies/entropy.ts';
import { leastConfidence } from '../../../src/env/strategies/least-confidence.ts';
import { margin } from '../../../src/env/strategies/margin.ts';
import { randomSampling } from '../../../src/env/strategies/random.ts';
import { uncertainty } from '../../../src/env/strategies/uncertainty.ts';
import type { StrategyFn } from '../../../src/env/strategies/types.ts';
import { RandomState } from '../../../src/numerics/random-state.ts';
import { available, caseArb, row, run, sortedBy, type Case } from './helpers.ts';

function expectTop(c: Case, score: (p: number[]) => number, picks: number[]): void {
  const ref = sortedBy((i) => score(row(c.ctx.proba, i, c.ctx.K)), c).slice(0, c.count);
  assert.deepEqual(picks, ref);
}

/** Minus the gap between the two largest probabilities of a row (margin's score, and uncertainty's for K > 2). */
function marginScore(p: number[]): number {
  const s = [...p].sort((a, b) => b - a);
  return -(s[0] - s[1]);
}

/** Each strategy that ranks candidates by a score of their probability row, with that score written out. */
const SCORE_REFERENCES: [title: string, strategy: StrategyFn, score: (p: number[]) => number][] = [
  ['least_confidence = 1 − max p', leastConfidence, (p) => 1 - Math.max(...p)],
  ['margin = smallest gap between the two largest probabilities', margin, marginScore],
  ['entropy = −Σ p ln p', entropySampling, (p) => p.reduce((h, v) => (v > 0 ? h - v * Math.log(v) : h), 0)],
  ['uncertainty = −|p1 − 0.5| for K = 2, the margin otherwise', uncertainty, (p) => (p.length === 2 ? -Math.abs(p[1] - 0.5) : marginScore(p))],
];

describe('score strategies match brute force', () => {
  for (const [title, strategy, score] of SCORE_REFERENCES) {
    it(title, () => {
      fc.assert(fc.property(caseArb(), (c) => expectTop(c, score, run(strategy, c))), { numRuns: 300 });
    });
  }
  it('diversity = squared distance to the labelled centroid', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const { d, m, labelledX, X } = c.ctx;
        const centroid = Array.from({ length: d }, (_, j) => {
          let s = 0;
          for (let r = 0; r < m; r++) s += labelledX[r * d + j];
          return m > 0 ? s / m : 0;
        });
        const ref = sortedBy((i) => row(X, i, d).reduce((acc, x, j) => acc + (x - centroid[j]) ** 2, 0), c).slice(0, c.count);
        assert.deepEqual(run(diversity, c), ref);
      }),
      { numRuns: 300 },
    );
  });
  it('picks min(count, available) distinct unexcluded candidates and never draws (non-random ones)', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        for (const pick of [leastConfidence, margin, entropySampling, uncertainty, diversity]) {
          const before = c.ctx.rng.fingerprint();
          const picks = run(pick, c);
          assert.equal(picks.length, Math.min(Math.max(c.count, 0), available(c)));
          assert.equal(new Set(picks).size, picks.length);
          for (const i of picks) assert.equal(c.exclude[i], 0);
          assert.deepEqual(c.ctx.rng.fingerprint(), before);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('random', () => {
  it('is numpy choice(remaining, count, replace=False) from the episode stream', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const remaining: number[] = [];
        for (let i = 0; i < c.ctx.n; i++) if (c.exclude[i] === 0) remaining.push(i);
        const take = Math.min(c.count, remaining.length);
        const ref = take > 0 ? RandomState.fromSeed(c.seed).choice(remaining, take) : [];
        assert.deepEqual(run(randomSampling, c), ref);
        // The stream moved exactly as the reference's did.
        const after = RandomState.fromSeed(c.seed);
        if (take > 0) after.choice(remaining, take);
        assert.deepEqual(c.ctx.rng.fingerprint(), after.fingerprint());
      }),
      { numRuns: 200 },
    );
  });
});
