import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSelectEnv } from '../../src/env/env.ts';
import { getWorld } from '../../src/env/world.ts';
import { CLASSIC_DATA } from '../../src/env/tasks.ts';
import { RandomState } from '../../src/numerics/random-state.ts';
import { assertClose, assertNear, debugFixture, flat } from '../helpers.ts';
import type { SelectionInfo } from '../../src/env/types.ts';

describe('reset of easy, seed 42, stage by stage (reset_easy_s42.json)', () => {
  const ref = debugFixture('reset_easy_s42');
  const world = getWorld(CLASSIC_DATA);

  it('pool jitter, uniforms, mask, flipped labels, noisy-row jitter and RNG fingerprints', (t) => {
    const rng = RandomState.fromSeed(42);
    assert.deepEqual({ ...rng.fingerprint(), has_gauss: Number(rng.hasGauss) }, ref.rng_after_seed);
    const pool = world.X.slice(400 * 20, 1500 * 20);
    rng.addNormalInto(pool, 0, pool.length, 0, 0.5);
    t.diagnostic(`X_pool_after_gaussian max abs diff ${assertClose(pool, flat(ref.X_pool_after_gaussian), 1e-12, 'pool')}`);
    assert.equal(rng.fingerprint().key_sha256_16, ref.rng_after_gaussian.key_sha256_16);
    assert.equal(rng.pos, ref.rng_after_gaussian.pos);
    const u = rng.rand(1100);
    assert.deepEqual(Array.from(u), ref.noise_uniforms);
    assert.equal(rng.pos, ref.rng_after_mask.pos);
    const mask = Array.from(u, (x) => x < 0.05);
    assert.deepEqual(mask, ref.noise_mask);
    assert.equal(mask.filter(Boolean).length, ref.noise_count);
    assert.deepEqual(Array.from(world.y.subarray(400, 1500)), ref.y_pool_clean);
    const noise = rng.normalInto(new Float64Array(ref.noise_count * 20), 0, 0.1);
    assertClose(noise, flat(ref.noise_gaussian), 1e-15, 'noise gaussian');
    assert.equal(rng.fingerprint().key_sha256_16, ref.rng_after_reset.key_sha256_16);
    assert.equal(rng.pos, ref.rng_after_reset.pos);
    t.diagnostic(`train_centroid max abs diff ${assertClose(world.seedCentroid, ref.train_centroid, 1e-12, 'centroid')}`);
  });

  it('the environment reset gives the reference observation (performance within 1e-12) and RNG state', () => {
    const env = new DataSelectEnv();
    const { observation } = env.reset({ task: 'easy', seed: 42 });
    const expected = ref.initial_observation;
    assert.equal(observation.remaining_budget, expected.remaining_budget);
    assert.equal(observation.samples_available, expected.samples_available);
    assert.equal(observation.noise_estimate, expected.noise_estimate);
    assertNear(observation.current_performance, 0.6877621531010043, 1e-12, 'initial performance');
    assertNear(observation.diversity_score, expected.diversity_score, 1e-12, 'initial diversity');
    const fp = env.rngFingerprint()!;
    assert.equal(fp.pos, ref.rng_after_reset.pos);
    assert.equal(fp.key_sha256_16, ref.rng_after_reset.key_sha256_16);
  });
});

describe('first balanced step of easy, seed 42 (first_step_easy_s42.json)', () => {
  const ref = debugFixture('first_step_easy_s42');

  it('sampler picks, training order, reward terms, info and observation', (t) => {
    const env = new DataSelectEnv({ recordSelections: true });
    env.reset({ task: 'easy', seed: 42 });
    const r = env.step(ref.action);
    const sel = env.lastSelection!;
    assert.deepEqual([sel.n_u, sel.n_d, sel.n_r], [ref.n_u, ref.n_d, ref.n_r]);
    assert.deepEqual(sel.uncertainty_idx, ref.uncertainty_idx);
    assert.deepEqual(sel.diversity_idx, ref.diversity_idx);
    assert.deepEqual(sel.random_idx, ref.random_idx);
    assert.deepEqual(sel.train_order, ref.train_order);
    const info = r.info as SelectionInfo;
    const diffs = {
      perf_gain_x5: Math.abs(info.terms.performance_gain - ref.perf_gain_x5),
      diversity_bonus: Math.abs(info.terms.diversity_bonus - ref.diversity_bonus),
      redundancy: Math.abs(info.redundancy - ref.redundancy),
      noise_penalty: Math.abs(-info.terms.noise_penalty - ref.noise_penalty),
      reward: Math.abs(r.reward - ref.reward),
      performance_after: Math.abs(r.observation.current_performance - ref.performance_after),
    };
    for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-12, `${k}: ${d}`);
    t.diagnostic(`max abs diffs ${JSON.stringify(diffs)}`);
    assert.equal(info.noise_ratio, ref.noise_ratio);
    assert.equal(r.observation.remaining_budget, ref.observation.remaining_budget);
    assert.equal(r.observation.samples_available, ref.observation.samples_available);
    assertNear(r.observation.diversity_score, ref.observation.diversity_score, 1e-12);
    assert.equal(env.rngFingerprint()!.key_sha256_16, ref.rng_after.key_sha256_16);
    assert.equal(env.rngFingerprint()!.pos, ref.rng_after.pos);
  });
});
