import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mtKernel } from '../../src/numerics/mt-kernel.ts';
import { RandomState, useMtKernel } from '../../src/numerics/random-state.ts';

const kernel = mtKernel();

/** Runs `draw` on a fresh generator of `seed` with the kernel on or off. */
function withKernel<T>(on: boolean, draw: () => T): T {
  const was = useMtKernel(on);
  try {
    return draw();
  } finally {
    useMtKernel(was);
  }
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('MT19937 WebAssembly kernel', () => {
  it('is available on this runtime', () => {
    assert.ok(kernel, 'WebAssembly kernel failed to assemble or instantiate');
  });

  it('twist and tempering give the reference outputs across several blocks', () => {
    const k = kernel!;
    const ref = RandomState.fromSeed(42);
    k.words.set(new Int32Array(RandomState.fromSeed(42).key.buffer));
    let pos = 624;
    for (let i = 0; i < 624 * 5 + 7; i++) {
      if (pos >= 624) {
        k.twist();
        pos = 0;
      }
      assert.equal(k.tempered[pos++] >>> 0, ref.nextU32(), `output ${i}`);
    }
  });

  it('log equals Math.log bit for bit (polar r², near 1, powers of two, random magnitudes)', () => {
    const k = kernel!;
    const rs = RandomState.fromSeed(7);
    const xs: number[] = [1, 0.5, 0.25, Math.SQRT1_2, Math.SQRT2 / 2 + 2 ** -52, 1 - 2 ** -53, 2 ** -104, 2 ** -1022, 3, 1e300];
    for (let i = 0; i < 200_000; i++) {
      const a = 2 * rs.nextDouble() - 1;
      const b = 2 * rs.nextDouble() - 1;
      const r2 = a * a + b * b;
      if (r2 > 0 && r2 < 1) xs.push(r2);
      xs.push(1 + (rs.nextDouble() - 0.5) * 2 ** -(i % 53));
      xs.push(rs.nextDouble() * 2 ** ((i % 400) - 200) + 2 ** -1000);
    }
    let bad = 0;
    for (const x of xs) if (!Object.is(k.log(x), Math.log(x))) bad++;
    assert.equal(bad, 0, `${bad} of ${xs.length} logs differ`);
  });

  it('addNormalInto: kernel and TypeScript paths give identical values and states (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (seed, preU32, preGauss, count, loc, scale) => {
          const run = (on: boolean) =>
            withKernel(on, () => {
              const rs = RandomState.fromSeed(seed);
              for (let i = 0; i < preU32; i++) rs.nextU32();
              for (let i = 0; i < preGauss; i++) rs.gauss();
              const out = new Float64Array(count + 3).fill(0.25);
              rs.addNormalInto(out, 2, count, loc, scale);
              const after = [rs.gauss(), rs.nextDouble(), rs.gauss()];
              return { out, after, fp: rs.fingerprint() };
            });
          const a = run(true);
          const b = run(false);
          assert.ok(sameBits(a.out, b.out), 'values differ');
          assert.deepEqual(a.after, b.after);
          assert.deepEqual(a.fp, b.fp);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('skipGaussians: kernel and TypeScript paths leave the same state (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 60_000 }),
        (seed, preU32, preGauss, count) => {
          const run = (on: boolean) =>
            withKernel(on, () => {
              const rs = RandomState.fromSeed(seed);
              for (let i = 0; i < preU32; i++) rs.nextU32();
              for (let i = 0; i < preGauss; i++) rs.gauss();
              rs.skipGaussians(count);
              return { fp: rs.fingerprint(), next: [rs.gauss(), rs.nextU32()] };
            });
          assert.deepEqual(run(true), run(false));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('one addNormalInto equals the same number of gauss() calls (22,000 values, seed 42)', () => {
    const rs = RandomState.fromSeed(42);
    const out = new Float64Array(22_001);
    rs.addNormalInto(out, 0, 22_001, 0, 1);
    const ref = withKernel(false, () => {
      const r = RandomState.fromSeed(42);
      return Float64Array.from({ length: 22_001 }, () => r.gauss());
    });
    assert.ok(sameBits(out, ref));
    assert.equal(rs.hasGauss, true);
  });
});
