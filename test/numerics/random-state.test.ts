import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomState } from '../../src/numerics/random-state.ts';
import { assertClose, debugFixture } from '../helpers.ts';

const vectors = debugFixture('rng_vectors');

for (const seed of [42, 0]) {
  const v = vectors[`RandomState(${seed})`];
  describe(`RandomState(${seed}) against the reference vectors`, () => {
    it('first 20 uint32 outputs are exact', () => {
      const rs = RandomState.fromSeed(seed);
      assert.deepEqual(Array.from({ length: 20 }, () => rs.nextU32()), v.uint32_first20);
    });
    it('state fingerprint after seeding', () => {
      const f = RandomState.fromSeed(seed).fingerprint();
      assert.equal(f.pos, v.state_after_seed.pos);
      assert.equal(f.key_sha256_16, v.state_after_seed.key_sha256_16);
      assert.equal(f.has_gauss, Boolean(v.state_after_seed.has_gauss));
    });
    it('random_sample doubles are bit-equal', () => {
      const rs = RandomState.fromSeed(seed);
      assert.deepEqual(Array.from(rs.rand(10)), v.random_sample_first10);
    });
    it('standard_normal within 1e-15 (Math.log vs glibc log)', () => {
      const rs = RandomState.fromSeed(seed);
      assertClose(rs.standardNormal(10), v.standard_normal_first10, 1e-15, 'gauss');
    });
    it('normal(0, 0.5)', () => {
      const rs = RandomState.fromSeed(seed);
      assertClose(rs.normalInto(new Float64Array(6), 0, 0.5), v['normal_0_0.5_first6'], 1e-15, 'normal');
    });
    it('the cached gaussian survives uniform draws', () => {
      const rs = RandomState.fromSeed(seed);
      rs.standardNormal(3); // leaves one value cached
      assert.equal(rs.hasGauss, true);
      assert.deepEqual(Array.from(rs.rand(3)), v.rand_after_normal_3);
      assert.equal(rs.hasGauss, true);
    });
    it('permutation, choice and the scikit-learn seed draws are exact', () => {
      assert.deepEqual(Array.from(RandomState.fromSeed(seed).permutation(10)), v.permutation_10);
      const range20 = Array.from({ length: 20 }, (_, i) => i);
      assert.deepEqual(RandomState.fromSeed(seed).choice(range20, 5), v.choice_20_5_noreplace);
      const range100 = Array.from({ length: 30 }, (_, i) => 100 + i);
      assert.deepEqual(RandomState.fromSeed(seed).choice(range100, 7), v.choice_list_noreplace);
      const rs = RandomState.fromSeed(seed);
      assert.deepEqual([rs.randint(1, 2 ** 31 - 1), rs.randint(0, 2 ** 31 - 1)], v.sklearn_seeds);
    });
  });
}

describe('RandomState against the RNG vectors of the numeric fixtures (docs/fixtures.md)', () => {
  it('seeding words', () => {
    const k42 = RandomState.fromSeed(42).key;
    assert.deepEqual(Array.from(k42.subarray(0, 4)), [42, 3107752595, 1895908407, 3900362577]);
    assert.equal(k42[623], 26719530);
    const k0 = RandomState.fromSeed(0).key;
    assert.deepEqual(Array.from(k0.subarray(0, 4)), [0, 1, 1812433255, 1900727105]);
    assert.equal(k0[623], 1796872496);
  });
  it('outputs 623..625 across the second twist', () => {
    for (const [seed, expected] of [
      [42, [1077437785, 108880612, 791707097]],
      [0, [3791854820, 341544762, 1076416385]],
    ] as const) {
      const rs = RandomState.fromSeed(seed);
      for (let i = 0; i < 623; i++) rs.nextU32();
      assert.deepEqual([rs.nextU32(), rs.nextU32(), rs.nextU32()], expected);
    }
  });
  it('cache example: normal, rand, normal', () => {
    const rs = RandomState.fromSeed(42);
    assert.equal(rs.gauss(), 0.4967141530112327);
    assert.equal(rs.nextDouble(), 0.7319939418114051);
    assert.equal(rs.gauss(), -0.13826430117118466);
  });
  it('randint small, and the 64-bit path', () => {
    const a = RandomState.fromSeed(42);
    assert.deepEqual(Array.from({ length: 6 }, () => a.randint(0, 5)), [3, 4, 2, 4, 4, 1]);
    const b = RandomState.fromSeed(0);
    assert.deepEqual(Array.from({ length: 6 }, () => b.randint(0, 5)), [4, 0, 3, 3, 3, 1]);
    assert.equal(RandomState.fromSeed(42).randint(0, 2 ** 40), 441507790259);
    assert.equal(RandomState.fromSeed(0).randint(0, 2 ** 40), 741280623151);
  });
  it('permutation(1094) consumes 1565 outputs', () => {
    const rs = RandomState.fromSeed(42);
    rs.permutation(1094);
    assert.equal(rs.pos, 317);
  });
  it('seed range is enforced', () => {
    assert.throws(() => RandomState.fromSeed(-1), RangeError);
    assert.throws(() => RandomState.fromSeed(2 ** 32), RangeError);
    assert.throws(() => RandomState.fromSeed(1.5), RangeError);
    assert.doesNotThrow(() => RandomState.fromSeed(2 ** 32 - 1));
  });
  it('clone copies the whole state', () => {
    const a = RandomState.fromSeed(7);
    a.gauss();
    const b = a.clone();
    assert.deepEqual([a.gauss(), a.nextU32(), a.nextDouble()], [b.gauss(), b.nextU32(), b.nextDouble()]);
  });
});
