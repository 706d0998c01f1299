import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeClassification } from '../../src/numerics/make-classification.ts';
import { fitStandardScaler, standardScaleTransform } from '../../src/numerics/scaler.ts';
import { assertClose, debugFixture, flat } from '../helpers.ts';

const PARAMS = {
  nSamples: 1500,
  nFeatures: 20,
  nInformative: 5,
  nRedundant: 5,
  nClustersPerClass: 2,
  flipY: 0.1,
  classSep: 1.0,
  seed: 42,
};

describe('make_classification', () => {
  const ref = debugFixture('make_classification');
  const ds = makeClassification(PARAMS);

  it('labels are identical to scikit-learn', () => {
    assert.deepEqual(Array.from(ds.y), ref.y);
    assert.equal(ds.y.reduce((a, b) => a + b, 0), 730);
  });
  it('features within 1e-12 of scikit-learn', (t) => {
    const d = assertClose(ds.X, flat(ref.X), 1e-12, 'X');
    t.diagnostic(`max abs diff X: ${d}`);
  });
  it('spot values of the reference data set', () => {
    assertClose(ds.X.subarray(0, 3), [-2.1530094386441214, 2.417988920448001, 0.28710063740125935], 1e-12);
    assertClose(ds.X.subarray(1499 * 20, 1499 * 20 + 4), [-0.532836268779924, 2.128644751543729, -0.8192664641893721, 0.955388571179851], 1e-12);
  });
  it('rejects parameters outside the documented path', () => {
    assert.throws(() => makeClassification({ ...PARAMS, nSamples: 1501 }), /split evenly/);
    assert.throws(() => makeClassification({ ...PARAMS, nInformative: 2 }), /outside/);
    assert.throws(() => makeClassification({ ...PARAMS, nInformative: 12, nRedundant: 0 }), /outside/);
    assert.throws(() => makeClassification({ ...PARAMS, nRedundant: 16 }), /exceed/);
    assert.throws(() => makeClassification({ ...PARAMS, flipY: Number.NaN }), /finite/);
  });
});

describe('StandardScaler', () => {
  const ref = debugFixture('scaler');
  const mc = debugFixture('make_classification');

  it('is bit-exact when fed the reference X', () => {
    const X = flat(mc.X);
    const stats = fitStandardScaler(X, 1500, 20);
    assert.deepEqual(Array.from(stats.mean), ref.mean);
    assert.deepEqual(Array.from(stats.variance), ref.var);
    assert.deepEqual(Array.from(stats.scale), ref.scale);
    assert.deepEqual(Array.from(standardScaleTransform(X, 1500, 20, stats)), Array.from(flat(ref.X_scaled)));
  });
  it('end to end from our own data set within 1e-12', (t) => {
    const ds = makeClassification(PARAMS);
    const stats = fitStandardScaler(ds.X, 1500, 20);
    const Xs = standardScaleTransform(ds.X, 1500, 20, stats);
    t.diagnostic(`max abs diff mean ${assertClose(stats.mean, ref.mean, 1e-12, 'mean')}`);
    t.diagnostic(`max abs diff scale ${assertClose(stats.scale, ref.scale, 1e-12, 'scale')}`);
    t.diagnostic(`max abs diff X_scaled ${assertClose(Xs, flat(ref.X_scaled), 1e-12, 'X_scaled')}`);
  });
  it('treats a constant column as scale 1', () => {
    const X = Float64Array.from([3, 1, 3, 2, 3, 3]);
    const s = fitStandardScaler(X, 3, 2);
    assert.equal(s.scale[0], 1.0);
    assert.deepEqual(Array.from(standardScaleTransform(X, 3, 2, s)).filter((_, i) => i % 2 === 0), [0, 0, 0]);
  });
});
