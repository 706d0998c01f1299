/**
 * The SGD WebAssembly kernel (src/numerics/sgd-kernel.ts) against the TypeScript paths it
 * replaces: its exp equals Math.exp bit for bit, and every fit, probability and accuracy count is
 * bit-identical with the kernel on and off.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RandomState } from '../../src/numerics/random-state.ts';
import { KERNEL_MAX_DOUBLES, sgdKernel, useSgdKernel } from '../../src/numerics/sgd-kernel.ts';
import { SgdLogistic, usableKernel } from '../../src/numerics/sgd.ts';
import { SoftmaxSgd } from '../../src/numerics/softmax-sgd.ts';
import { BinaryLogisticModel } from '../../src/numerics/binary-model.ts';
import { committee } from '../../src/env/strategies/committee.ts';
import type { StrategyContext } from '../../src/env/strategies/types.ts';
import { sameBits, withKernelSwitch } from '../helpers.ts';

const kernel = sgdKernel();

const withKernel = <T>(on: boolean, run: () => T): T => withKernelSwitch(useSgdKernel, on, run);

describe('SGD WebAssembly kernel', () => {
  it('is available on this runtime', () => {
    assert.ok(kernel, 'the SGD kernel failed to assemble or instantiate');
  });

  it('exp equals Math.exp bit for bit (4 million random inputs, every bit pattern class, the branch edges)', () => {
    const exp = kernel!.raw.exp;
    const rs = RandomState.fromSeed(11);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    let bad = 0;
    let n = 0;
    const check = (x: number) => {
      n++;
      if (!Object.is(exp(x), Math.exp(x))) bad++;
    };
    for (let i = 0; i < 600_000; i++) {
      const r = rs.nextDouble() - 0.5;
      check(r * 1500); // the whole finite range, overflow and underflow
      check(r * 40); // the SGD's decision values
      check(r * 2); // k = 0 and k = ±1
      check(r * 2 ** -(i % 60)); // tiny arguments, |x| < 2^-28
      // Any bit pattern (NaNs, infinities, subnormals included).
      u[0] = rs.nextU32();
      u[1] = rs.nextU32();
      check(f[0]);
      // Near a multiple of ln 2 / 2 (the reduction boundaries) and near the branch thresholds.
      const k = (i % 4400) - 2200;
      check(k * 0.5 * Math.LN2 * (1 + (rs.nextDouble() - 0.5) * 2 ** -40));
      check(0.5 * Math.LN2 * (1 + (rs.nextDouble() - 0.5) * 2 ** -(i % 50)));
    }
    for (const x of [0, -0, 1, -1, 2, -2, Infinity, -Infinity, NaN, 709.782712893384, 709.79, -745.1332191019411, -745.14, -708.4, -720, -740, 1e-300, -1e-300, 5e-324, 2 ** -28, -(2 ** -28), 18, -18]) check(x);
    assert.equal(bad, 0, `${bad} of ${n} exps differ from Math.exp`);
    assert.ok(n > 4_000_000);
  });

  it('exp(−z) ≤ 1 for z ≥ 0 and exp(−z) > 1 + 1e−10 for z < −1e−10 (the accuracy count\'s shortcut)', () => {
    const rs = RandomState.fromSeed(5);
    for (let i = 0; i < 200_000; i++) {
      const z = rs.nextDouble() * 2 ** -(i % 70);
      assert.ok(kernel!.raw.exp(-z) <= 1, `exp(-${z})`);
      const w = -1e-10 - rs.nextDouble() * 2 ** -(i % 40);
      assert.ok(kernel!.raw.exp(-w) > 1 + 1e-10, `exp(${-w})`);
    }
  });

  it('fitFromScratch equals resetParameters + partialFit epochs bit for bit (F = 20 unrolled and any F)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(1, 3, 7, 20, 31),
        fc.constantFrom(0.01, 0.05, 0.5),
        fc.integer({ min: 1, max: 12 }),
        (seed, n, F, eta0, epochs) => {
          const rs = RandomState.fromSeed(seed);
          const rowsTotal = n + 30;
          // Large-magnitude rows too, so the |z| > 18 branches and the clip run.
          const X = rs.standardNormal(rowsTotal * F).map((v, i) => (i % 11 === 0 ? v * 40 : v));
          const rows = Int32Array.from({ length: n }, () => rs.randint(0, rowsTotal));
          const labels = Uint8Array.from({ length: n }, () => rs.randint(0, 2));
          const a = new SgdLogistic(F, eta0);
          withKernel(false, () => a.fitFromScratch(X, rows, labels, n, epochs, true));
          const b = new SgdLogistic(F, eta0);
          b.coef.fill(3); // a fit starts from scratch whatever the state
          withKernel(true, () => b.fitFromScratch(X, rows, labels, n, epochs, true));
          assert.ok(sameBits(a.coef, b.coef), 'coef');
          assert.ok(Object.is(a.intercept, b.intercept), 'intercept');
          assert.equal(a.t, b.t);
          // And the classic reference path itself.
          const c = new SgdLogistic(F, eta0);
          for (let e = 0; e < epochs; e++) c.partialFit(X, rows, labels, n);
          assert.ok(sameBits(a.coef, c.coef) && Object.is(a.intercept, c.intercept));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('predictRowsInto and countCorrect equal the TypeScript probabilities and the p ≥ 0.5 count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(2, 5, 20, 33), fc.integer({ min: 1, max: 300 }), (seed, F, n) => {
        const rs = RandomState.fromSeed(seed);
        const X = rs.standardNormal((n + 40) * F);
        const m = new SgdLogistic(F);
        for (let j = 0; j < F; j++) m.coef[j] = rs.gauss() * (seed % 3 === 0 ? 1e-12 : 1);
        m.intercept = seed % 5 === 0 ? 0 : rs.gauss() * 1e-11;
        const idx = Int32Array.from({ length: n }, () => rs.randint(0, n + 20));
        const expect = new Float64Array(n);
        for (let i = 0; i < n; i++) expect[i] = 1 / (1 + Math.exp(-m.decision(X, 20 + idx[i])));
        const got = withKernel(true, () => m.predictRowsInto(X, 20, idx, n, new Float64Array(n), true));
        assert.ok(sameBits(expect, got), 'indexed rows');
        const contiguous = withKernel(true, () => m.predictRowsInto(X, 7, null, n, new Float64Array(n), true));
        for (let i = 0; i < n; i++) assert.ok(Object.is(contiguous[i], 1 / (1 + Math.exp(-m.decision(X, 7 + i)))));
        const labels = Uint8Array.from({ length: n }, () => rs.randint(0, 2));
        let want = 0;
        for (let i = 0; i < n; i++) if ((1 / (1 + Math.exp(-m.decision(X, i))) >= 0.5 ? 1 : 0) === labels[i]) want++;
        assert.equal(withKernel(true, () => m.countCorrect(X, labels, n, true)), want);
        assert.equal(withKernel(false, () => m.countCorrect(X, labels, n, true)), want);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps a resident copy per array and copies an evicted one again', () => {
    const k = kernel!;
    const arrays = Array.from({ length: 20 }, (_, i) => Float64Array.from({ length: 50 }, (_, j) => i * 100 + j));
    const first = arrays.map((a) => k.resident(a));
    for (let i = 0; i < arrays.length; i++) {
      const p = k.resident(arrays[i]);
      assert.deepEqual(Array.from(k.f64.subarray(p >> 3, (p >> 3) + 50)), Array.from(arrays[i]), `array ${i}`);
    }
    assert.equal(k.resident(arrays[19]), k.resident(arrays[19]));
    assert.ok(first.length === 20);
  });

  it('bounds its memory: resident copies by bytes, matrices above the limit stay on the TypeScript path', () => {
    const k = kernel!;
    const big = Array.from({ length: 8 }, (_, i) => new Float64Array(1_500_000).fill(i));
    for (const a of big) {
      const p = k.resident(a);
      assert.equal(k.f64[p >> 3], a[0]);
    }
    // 8 × 12 MB were made resident; at most 64 MB of them are kept (plus what scratch holds).
    assert.ok(k.raw.memory.buffer.byteLength < 96 * 1024 * 1024, `${k.raw.memory.buffer.byteLength} bytes`);
    const huge = new Float64Array(KERNEL_MAX_DOUBLES + 1);
    assert.equal(usableKernel(huge, true), null);
    assert.equal(usableKernel(big[0], true), k);
    // The TypeScript path answers for it, with the same numbers as a small copy through the kernel.
    huge.fill(0.5, 0, 40);
    const m = new SgdLogistic(4);
    m.coef.set([1, -2, 0.5, 0.25]);
    const small = huge.slice(0, 40);
    const a = m.predictRowsInto(huge, 0, null, 10, new Float64Array(10), true);
    const b = m.predictRowsInto(small, 0, null, 10, new Float64Array(10), true);
    assert.ok(sameBits(a, b));
  });

  it('SoftmaxSgd: fit, probabilities and the accuracy count are bit-identical with the kernel on and off (K 2…16, any d, repeated rows, resident and gathered X)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom(0.05, 0.5, 5),
        fc.boolean(),
        (seed, K, d, n, eta0, resident) => {
          const rs = RandomState.fromSeed(seed);
          const total = n + 40;
          const X = rs.standardNormal(total * d).map((v, i) => (i % 13 === 0 ? v * 30 : v));
          const rows = Int32Array.from({ length: n }, () => rs.randint(0, total));
          const y = Int32Array.from({ length: n }, () => rs.randint(0, K));
          const a = new SoftmaxSgd(d, K, { eta0, epochs: 10 });
          const b = new SoftmaxSgd(d, K, { eta0, epochs: 10 });
          withKernel(false, () => a.fit(X, rows, y, n, true));
          b.coef.fill(2);
          const staged = withKernel(true, () => (resident ? (b.fit(X, rows, y, n, true), true) : kernel!.withStaged([X], () => (b.fit(X, rows, y, n), true))));
          assert.ok(staged);
          assert.ok(sameBits(a.coef, b.coef), 'coef');
          assert.ok(sameBits(a.intercept, b.intercept), 'intercept');
          const idx = Int32Array.from({ length: 60 }, () => rs.randint(0, total));
          const pa = withKernel(false, () => a.predictProbaInto(X, idx, 60, new Float64Array(60 * K), true));
          const pb = withKernel(true, () => b.predictProbaInto(X, idx, 60, new Float64Array(60 * K), true));
          assert.ok(sameBits(pa, pb), 'probabilities');
          // Ties and near-ties in the decision values: rows that repeat, weights near zero.
          const tiny = new SoftmaxSgd(d, K, { eta0, epochs: 1 });
          for (let i = 0; i < K * d; i++) tiny.coef[i] = seed % 2 === 0 ? b.coef[i] : b.coef[i] * 1e-12;
          const labels = Uint8Array.from({ length: total }, () => rs.randint(0, K));
          for (const m of [b, tiny]) {
            assert.equal(withKernel(true, () => m.countCorrect(X, labels, total, true)), withKernel(false, () => m.countCorrect(X, labels, total, true)));
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('a row of equal decision values counts as the lower class (the accuracy count\'s fallback)', () => {
    const m = new SoftmaxSgd(2, 4, { eta0: 0.05, epochs: 1 });
    const X = Float64Array.from([1, 2, 0, 0]);
    // Classes 1 and 3 tie at the top for row 0; every class ties for the zero row 1.
    m.coef.set([0, 0, 1, 1, 0, 0, 1, 1]);
    for (const on of [true, false]) {
      assert.equal(withKernel(on, () => m.countCorrect(X, Uint8Array.from([1, 0]), 2, true)), 2);
      assert.equal(withKernel(on, () => m.countCorrect(X, Uint8Array.from([3, 2]), 2, true)), 0);
    }
  });

  it('committee picks the same candidates with the kernel on and off (softmax and binary members, staged matrices)', () => {
    for (const [K, d] of [[2, 20], [3, 4], [10, 64]] as const) {
      for (const seed of [1, 2]) {
        const picks = [true, false].map((on) =>
          withKernel(on, () => {
            const rs = RandomState.fromSeed(seed);
            const n = 200;
            const m = 40;
            const proba = new Float64Array(n * K).fill(1 / K);
            const ctx: StrategyContext = {
              n, K, d, proba,
              X: rs.standardNormal(n * d),
              m,
              labelledX: rs.standardNormal(m * d),
              labelledY: Int32Array.from({ length: m }, (_, i) => i % K),
              rng: rs,
              makeModel: (dd, KK) => (KK === 2 ? new BinaryLogisticModel(dd, 0.05, 10) : new SoftmaxSgd(dd, KK, { eta0: 0.05, epochs: 10 })),
            };
            const out = new Int32Array(10);
            const taken = committee(ctx, 10, new Uint8Array(n), out);
            return [Array.from(out.subarray(0, taken)), rs.nextU32()];
          }),
        );
        assert.deepEqual(picks[0], picks[1], `K ${K}, seed ${seed}`);
      }
    }
  });
});
