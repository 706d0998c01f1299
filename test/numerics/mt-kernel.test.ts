import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mtKernel } from '../../src/numerics/mt-kernel.ts';
import { RandomState, useMtKernel } from '../../src/numerics/random-state.ts';
import { sameBits, withKernelSwitch } from '../helpers.ts';

const kernel = mtKernel();

/** Runs `draw` with the kernel on or off. */
const withKernel = <T>(on: boolean, draw: () => T): T => withKernelSwitch(useMtKernel, on, draw);

/**
 * Generator positions for the properties: a seed, then some 32-bit words drawn (the key at any
 * offset, across twists) and some gaussians (with and without a cached second value).
 */
const generatorPosition = fc.record({
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  words: fc.integer({ min: 0, max: 700 }),
  gaussians: fc.integer({ min: 0, max: 3 }),
});

/** A fresh generator moved to `position`. */
function generatorAt(position: { seed: number; words: number; gaussians: number }): RandomState {
  const rs = RandomState.fromSeed(position.seed);
  for (let i = 0; i < position.words; i++) rs.nextU32();
  for (let i = 0; i < position.gaussians; i++) rs.gauss();
  return rs;
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
        generatorPosition,
        fc.integer({ min: 0, max: 20_000 }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (position, count, loc, scale) => {
          const run = (on: boolean) =>
            withKernel(on, () => {
              const rs = generatorAt(position);
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
        generatorPosition,
        fc.integer({ min: 0, max: 60_000 }),
        (position, count) => {
          const run = (on: boolean) =>
            withKernel(on, () => {
              const rs = generatorAt(position);
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
