/**
 * The multinomial logistic SGD model: its update is the cross-entropy gradient (finite
 * differences), K = 2 reduces to binary logistic SGD with η₀' = 2η₀ and α' = α/2 (SgdLogistic),
 * fits are deterministic and from scratch, and the probabilities are a distribution.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BinaryLogisticModel } from '../../src/numerics/binary-model.ts';
import { RandomState } from '../../src/numerics/random-state.ts';
import { SgdLogistic } from '../../src/numerics/sgd.ts';
import { SoftmaxSgd } from '../../src/numerics/softmax-sgd.ts';

function data(seed: number, n: number, d: number, K: number) {
  const rs = RandomState.fromSeed(seed);
  const X = rs.standardNormal(n * d);
  const y = Int32Array.from({ length: n }, () => rs.randint(0, K));
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  return { X, y, rows };
}

/** Cross-entropy −ln p_y of one row for weights W (K × d) and intercepts b. */
function rowLoss(W: Float64Array, b: Float64Array, x: Float64Array, y: number, K: number, d: number): number {
  const z = Array.from({ length: K }, (_, k) => b[k] + x.reduce((s, v, j) => s + v * W[k * d + j], 0));
  const zmax = Math.max(...z);
  const lse = zmax + Math.log(z.reduce((s, v) => s + Math.exp(v - zmax), 0));
  return lse - z[y];
}

describe('SoftmaxSgd', () => {
  it('one SGD step (α = 0) moves the weights by −η₀ times the finite-difference gradient', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 6 }), (seed, K, d) => {
        const rs = RandomState.fromSeed(seed);
        const m = new SoftmaxSgd(d, K, { eta0: 1e-3, epochs: 1, alpha: 0 });
        const W = rs.standardNormal(K * d);
        const b = rs.standardNormal(K);
        m.coef.set(W);
        m.intercept.set(b);
        const x = rs.standardNormal(d);
        const y = rs.randint(0, K);
        m.partialFit(x, [0], [y], 1);
        const h = 1e-6;
        for (let i = 0; i < K * d; i++) {
          const Wp = Float64Array.from(W);
          const Wm = Float64Array.from(W);
          Wp[i] += h;
          Wm[i] -= h;
          const g = (rowLoss(Wp, b, x, y, K, d) - rowLoss(Wm, b, x, y, K, d)) / (2 * h);
          const step = (W[i] - m.coef[i]) / 1e-3;
          assert.ok(Math.abs(step - g) < 1e-6, `coef ${i}: step ${step} vs gradient ${g}`);
        }
        for (let k = 0; k < K; k++) {
          const bp = Float64Array.from(b);
          const bm = Float64Array.from(b);
          bp[k] += h;
          bm[k] -= h;
          const g = (rowLoss(W, bp, x, y, K, d) - rowLoss(W, bm, x, y, K, d)) / (2 * h);
          assert.ok(Math.abs((b[k] - m.intercept[k]) / 1e-3 - g) < 1e-6, `intercept ${k}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the L2 penalty shrinks the weights by (1 − η₀α) per row', () => {
    const m = new SoftmaxSgd(2, 3, { eta0: 0.1, epochs: 1, alpha: 0.5 });
    m.coef.set([1, 2, 3, 4, 5, 6]);
    // A zero row has no loss gradient on the weights: only the decay acts.
    m.partialFit(Float64Array.from([0, 0]), [0], [1], 1);
    assert.deepEqual(Array.from(m.coef), [1, 2, 3, 4, 5, 6].map((v) => v * (1 - 0.1 * 0.5)));
  });

  it('K = 2 equals SgdLogistic with twice the learning rate and half the penalty (to rounding)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 }), (seed, n, d) => {
        const { X, y, rows } = data(seed, n, d, 2);
        const soft = new SoftmaxSgd(d, 2, { eta0: 0.025, epochs: 10, alpha: 2e-4 });
        soft.fit(X, rows, y, n);
        const bin = new SgdLogistic(d, 0.05);
        for (let e = 0; e < 10; e++) bin.partialFit(X, rows, y, n);
        for (let j = 0; j < d; j++) {
          assert.ok(Math.abs(soft.coef[j] + soft.coef[d + j]) < 1e-12, 'rows stay opposite');
          assert.ok(Math.abs(soft.coef[d + j] - soft.coef[j] - bin.coef[j]) < 1e-9, `coef ${j}`);
        }
        assert.ok(Math.abs(soft.intercept[1] - soft.intercept[0] - bin.intercept) < 1e-9);
        const ps = soft.predictProbaInto(X, rows, n, new Float64Array(2 * n));
        const pb = new BinaryLogisticModel(d, 0.05, 10);
        pb.fit(X, rows, y, n);
        const pbOut = pb.predictProbaInto(X, rows, n, new Float64Array(2 * n));
        for (let i = 0; i < 2 * n; i++) assert.ok(Math.abs(ps[i] - pbOut[i]) < 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('with the same η₀ and α the K = 2 softmax is a different model (the equivalence needs the rescaling)', () => {
    const { X, y, rows } = data(3, 40, 4, 2);
    const soft = new SoftmaxSgd(4, 2, { eta0: 0.05, epochs: 10 });
    soft.fit(X, rows, y, 40);
    const bin = new SgdLogistic(4, 0.05);
    for (let e = 0; e < 10; e++) bin.partialFit(X, rows, y, 40);
    assert.ok(Math.abs(soft.coef[4] - soft.coef[0] - bin.coef[0]) > 1e-3);
  });

  it('fits from scratch and deterministically; probabilities are distributions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 80 }), (seed, K, n) => {
        const d = 5;
        const { X, y, rows } = data(seed, n, d, K);
        const a = new SoftmaxSgd(d, K, { eta0: 0.05, epochs: 10 });
        const b = new SoftmaxSgd(d, K, { eta0: 0.05, epochs: 10 });
        a.fit(X, rows, y, n);
        // b first fits other data: fit must forget it.
        b.fit(X, rows, Int32Array.from(y, (v) => (v + 1) % K), n);
        b.fit(X, rows, y, n);
        assert.deepEqual(Array.from(a.coef), Array.from(b.coef));
        assert.deepEqual(Array.from(a.intercept), Array.from(b.intercept));
        const p = a.predictProbaInto(X, rows, n, new Float64Array(n * K));
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            assert.ok(p[i * K + k] >= 0 && p[i * K + k] <= 1);
            s += p[i * K + k];
          }
          assert.ok(Math.abs(s - 1) < 1e-12);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('learns separable classes', () => {
    const K = 3;
    const n = 90;
    const X = new Float64Array(n * 2);
    const y = new Int32Array(n);
    const rs = RandomState.fromSeed(7);
    const centres = [[-4, 0], [4, 0], [0, 4]];
    for (let i = 0; i < n; i++) {
      y[i] = i % K;
      X[2 * i] = centres[y[i]][0] + 0.5 * rs.gauss();
      X[2 * i + 1] = centres[y[i]][1] + 0.5 * rs.gauss();
    }
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const m = new SoftmaxSgd(2, K, { eta0: 0.05, epochs: 10 });
    m.fit(X, rows, y, n);
    const p = m.predictProbaInto(X, rows, n, new Float64Array(n * K));
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(p.subarray(i * K, i * K + K));
      if (row.indexOf(Math.max(...row)) === y[i]) correct++;
    }
    assert.ok(correct >= 88, `${correct}/90`);
  });

  it('refuses fewer than 2 classes', () => {
    assert.throws(() => new SoftmaxSgd(3, 1, { eta0: 0.05, epochs: 10 }), /at least 2 classes/);
  });
});
