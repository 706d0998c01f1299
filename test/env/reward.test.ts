import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { noisePenaltyScale, noiseTrapBoost, selectionReward, selectionTerms, stopReward } from '../../src/env/reward.ts';

describe('reward terms', () => {
  it("property: the terms add up to the original's expression, bit for bit", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0.05, 0.25, 0.3),
        (oldP, newP, meanDistance, redundancy, b, noiseRatio, flipY) => {
          const t = selectionTerms({ oldPerformance: oldP, newPerformance: newP, geometry: { meanDistance, redundancy }, effectiveBatch: b, noiseRatio, flipY });
          // docs/numerics.md §7, written exactly as the original evaluates it.
          let gain = (newP - oldP) * 5.0;
          gain = gain + meanDistance * 0.05;
          if (redundancy > 0.8) gain = gain * 0.5;
          if (newP > 0.85) gain = gain * 0.7;
          const noisePenalty = (1.0 + flipY * 2.0) * noiseRatio;
          let reward = ((gain - 0.01 * b) - 0.3 * redundancy) - noisePenalty;
          reward = reward + 0.15;
          assert.equal(t.gain, gain);
          assert.equal(selectionReward(t), reward);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('derived constants of docs/numerics.md §7 and the stop reward', () => {
    assert.deepEqual([0.05, 0.25, 0.3].map(noiseTrapBoost), [0.2, 0.55, 0.55]);
    assert.deepEqual([0.05, 0.25, 0.3].map(noisePenaltyScale), [1.1, 1.5, 1.6]);
    assert.equal(stopReward(0.6877621531010043, 0.62, 100), 5);
    assert.equal(stopReward(0.6183960514196988, 0.62, 70), -1);
    assert.equal(stopReward(0.62, 0.62, 10), 0.5);
  });
});
