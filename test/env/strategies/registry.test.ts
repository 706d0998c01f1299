/**
 * The registry and the selection rule: every name resolves, the split reduces to the curation
 * family's rule for the original three weights, and one selection's picks are disjoint, in run
 * order, each strategy excluding the earlier ones' picks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ALL_STRATEGIES, CLASSIC_STRATEGIES, LIBRARY_STRATEGIES, getStrategy, strategyInfos } from '../../../src/env/strategies/index.ts';
import { strategySplit } from '../../../src/env/actions.ts';
import { RUN_ORDER } from '../../../src/env/strategies/names.ts';
import { runSelection } from '../../../src/env/strategies/select.ts';
import { RandomState } from '../../../src/numerics/random-state.ts';
import { caseArb } from './helpers.ts';

describe('strategy registry', () => {
  it('names the original three and the seven library strategies, each with a definition and reference', () => {
    assert.deepEqual([...CLASSIC_STRATEGIES], ['uncertainty', 'diversity', 'random']);
    assert.deepEqual([...LIBRARY_STRATEGIES], ['least_confidence', 'margin', 'entropy', 'density', 'coreset', 'committee', 'badge']);
    for (const info of strategyInfos()) {
      assert.equal(getStrategy(info.name), info);
      assert.ok(info.definition.length > 10 && info.reference.length > 10, info.name);
    }
    assert.equal(getStrategy('toString'), undefined);
    assert.equal(getStrategy('__proto__'), undefined);
    assert.equal(getStrategy('Margin'), undefined);
    assert.deepEqual([...RUN_ORDER].sort(), [...ALL_STRATEGIES].sort());
    assert.equal(RUN_ORDER[RUN_ORDER.length - 1], 'random');
  });
});

describe('strategySplit', () => {
  const weight = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true }), fc.integer({ min: 0, max: 5 }));
  it('is the curation rule for the original three weights (⌊b·w/tot⌋, random the rest)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), weight, weight, weight, (b, wu, wd, wr) => {
        fc.pre(wu + wd + wr > 0);
        const tot = wu + wd + wr;
        const nU = Math.floor((b * wu) / tot);
        const nD = Math.floor((b * wd) / tot);
        const c = strategySplit(b, { uncertainty: wu, diversity: wd, random: wr });
        assert.equal(c.uncertainty, nU);
        assert.equal(c.diversity, nD);
        assert.equal(c.random, b - nU - nD);
        for (const s of LIBRARY_STRATEGIES) assert.equal(c[s], 0);
      }),
    );
  });
  it('sums to b with every strategy weighted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(weight, { minLength: ALL_STRATEGIES.length, maxLength: ALL_STRATEGIES.length }), (b, ws) => {
        fc.pre(ws.some((w) => w > 0));
        const weights = Object.fromEntries(ALL_STRATEGIES.map((s, i) => [s, ws[i]]));
        const c = strategySplit(b, weights);
        assert.equal(ALL_STRATEGIES.reduce((s, k) => s + c[k], 0), b);
        for (const s of ALL_STRATEGIES) assert.ok(c[s] >= 0);
      }),
    );
  });
});

describe('runSelection', () => {
  it('runs the strategies in order, each excluding the earlier picks; the picks are disjoint', () => {
    fc.assert(
      fc.property(caseArb({ minM: 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 10, maxLength: 10 }), (c, ws) => {
        fc.pre(ws.some((w) => w > 0));
        const b = c.ctx.n;
        const weights = Object.fromEntries(ALL_STRATEGIES.map((s, i) => [s, ws[i]]));
        const counts = strategySplit(b, weights);
        const exclude = new Uint8Array(c.ctx.n);
        const sel = runSelection(c.ctx, counts, exclude);
        assert.equal(sel.total, b);
        assert.equal(new Set(sel.order).size, b);
        // Replaying the strategies one by one on a copy gives the same picks.
        const mask = new Uint8Array(c.ctx.n);
        const ctx = { ...c.ctx, rng: RandomState.fromSeed(c.seed) };
        const expected: number[] = [];
        for (const s of RUN_ORDER) {
          if (counts[s] === 0) continue;
          const out = new Int32Array(c.ctx.n);
          const k = getStrategy(s)!.pick(ctx, counts[s], mask, out);
          assert.deepEqual(Array.from(sel.picks[s]!), Array.from(out.subarray(0, k)), s);
          for (let i = 0; i < k; i++) {
            mask[out[i]] = 1;
            expected.push(out[i]);
          }
        }
        assert.deepEqual(Array.from(sel.order), expected);
        assert.deepEqual(Array.from(exclude), Array.from(mask));
      }),
      { numRuns: 100 },
    );
  });
});
