import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLoss, performanceFromLogLoss, entropy } from '../../src/numerics/metrics.ts';
import { SgdLogistic, sgdShuffleSeed, sgdVisitingOrder } from '../../src/numerics/sgd.ts';
import { assertClose, assertNear, debugFixture, flat } from '../helpers.ts';

describe('SGD visiting order', () => {
  const ref = debugFixture('sgd_shuffle');
  it('derives the shuffle seed from RandomState(42)', () => {
    assert.equal(sgdShuffleSeed(), ref.shuffle_seed);
  });
  it('matches every recorded permutation exactly', () => {
    const entries = Object.entries(ref.permutations as Record<string, number[]>);
    assert.ok(entries.length >= 15);
    for (const [n, order] of entries) assert.deepEqual(Array.from(sgdVisitingOrder(Number(n))), order, `n=${n}`);
  });
});

describe('SGD warm-up, probabilities, log_loss and performance', () => {
  const ref = debugFixture('sgd_warmup');
  const Xs = flat(debugFixture('scaler').X_scaled);
  const y = debugFixture('make_classification').y as number[];
  const seedRows = Int32Array.from({ length: 100 }, (_, i) => i);
  const valRows = Int32Array.from({ length: 200 }, (_, i) => 200 + i);

  it('each of the 10 partial_fit calls matches within 1e-12', (t) => {
    const m = new SgdLogistic(20);
    let worst = 0;
    for (const call of ref.warmup) {
      m.partialFit(Xs, seedRows, y, 100);
      worst = Math.max(worst, assertClose(m.coef, call.coef, 1e-12, `coef after call ${call.call}`));
      assertNear(m.intercept, call.intercept, 1e-12, 'intercept');
      assert.equal(m.t, call.t_);
    }
    t.diagnostic(`max abs diff coef over 10 calls: ${worst}`);
  });

  it('decision values, probabilities, log_loss and the initial performance', (t) => {
    const m = new SgdLogistic(20);
    for (let c = 0; c < 10; c++) m.partialFit(Xs, seedRows, y, 100);
    const dec = Array.from(valRows, (r) => m.decision(Xs, r));
    t.diagnostic(`decision ${assertClose(dec, ref.decision_val, 1e-12, 'decision')}`);
    const p1 = m.predictProba1Into(Xs, valRows, 200, new Float64Array(200));
    t.diagnostic(`proba ${assertClose(p1, ref.proba_val.map((r: number[]) => r[1]), 1e-12, 'p1')}`);
    const yVal = y.slice(200, 400);
    const loss = logLoss(yVal, p1, 200, new Float64Array(200));
    assertNear(loss, ref.log_loss_val, 1e-12, 'log_loss');
    const perf = performanceFromLogLoss(loss);
    assertNear(perf, 0.6877621531010043, 1e-12, 'performance');
    t.diagnostic(`performance diff ${Math.abs(perf - ref.performance)}`);
  });

  it('log_loss on the reference probabilities is bit-equal', () => {
    const p1 = ref.proba_val.map((r: number[]) => r[1]);
    assert.equal(logLoss(y.slice(200, 400), p1, 200, new Float64Array(200)), ref.log_loss_val);
  });

  it('log_loss clips saturated probabilities and floors the performance at 0.05', () => {
    const loss = logLoss([1, 0], [0, 1], 2, new Float64Array(2));
    assert.ok(Number.isFinite(loss) && loss > 30);
    assert.equal(performanceFromLogLoss(1e6), 0.05);
  });

  it('entropy matches the first step fixture', () => {
    const fs = debugFixture('first_step_easy_s42');
    const h = fs.proba_pool.map((r: number[]) => entropy(r[1]));
    assertClose(h, fs.entropy, 1e-15, 'entropy');
  });
});
