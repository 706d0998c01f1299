/**
 * Small random strategy contexts for the brute-force reference tests, and the references'
 * shared pieces (a full stable sort by score, the unexcluded candidates).
 */
import fc from 'fast-check';
import { BinaryLogisticModel } from '../../../src/numerics/binary-model.ts';
import type { ModelFactory } from '../../../src/numerics/model.ts';
import { RandomState } from '../../../src/numerics/random-state.ts';
import { SoftmaxSgd } from '../../../src/numerics/softmax-sgd.ts';
import type { StrategyContext } from '../../../src/env/strategies/index.ts';

export const makeModel: ModelFactory = (d, K) =>
  K === 2 ? new BinaryLogisticModel(d, 0.05, 10) : new SoftmaxSgd(d, K, { eta0: 0.05, epochs: 10 });

export interface Case {
  ctx: StrategyContext;
  count: number;
  exclude: Uint8Array;
  seed: number;
}

/** Features either on a coarse grid (ties and duplicates likely) or continuous. */
function features(len: number, grid: boolean): fc.Arbitrary<number[]> {
  // Continuous values keep clear of underflow (|x| < 1e-9 becomes 0): squares of ~1e-162 vanish in
  // one formula and not in another, which no data set of this project comes near.
  const v = grid
    ? fc.integer({ min: -2, max: 2 }).map((x) => x / 2)
    : fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }).map((x) => (Math.abs(x) < 1e-9 ? 0 : x));
  return fc.array(v, { minLength: len, maxLength: len });
}

export function caseArb(options: { grid?: boolean; minM?: number; maxN?: number } = {}): fc.Arbitrary<Case> {
  const grid = options.grid ?? true;
  return fc
    .record({
      n: fc.integer({ min: 1, max: options.maxN ?? 12 }),
      K: fc.integer({ min: 2, max: 4 }),
      d: fc.integer({ min: 1, max: 4 }),
      m: fc.integer({ min: options.minM ?? 0, max: 6 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
    })
    .chain(({ n, K, d, m, seed }) =>
      fc.record({
        // Probability rows from small integer weights: exact ties are common.
        weights: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n * K, maxLength: n * K }),
        X: features(n * d, grid),
        L: features(m * d, grid),
        y: fc.array(fc.integer({ min: 0, max: K - 1 }), { minLength: m, maxLength: m }),
        excl: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
        count: fc.integer({ min: 0, max: n + 2 }),
      }).map(({ weights, X, L, y, excl, count }): Case => {
        const proba = new Float64Array(n * K);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += weights[i * K + k] + 0.5;
          for (let k = 0; k < K; k++) proba[i * K + k] = (weights[i * K + k] + 0.5) / s;
        }
        return {
          ctx: {
            n,
            K,
            d,
            proba,
            X: Float64Array.from(X),
            m,
            labelledX: Float64Array.from(L),
            labelledY: Int32Array.from(y),
            rng: RandomState.fromSeed(seed),
            makeModel,
          },
          count,
          exclude: Uint8Array.from(excl, (e) => (e === 0 ? 1 : 0)),
          seed,
        };
      }),
    );
}

/** Candidates not excluded, ordered by score descending then index ascending (a full sort). */
export function sortedBy(score: (i: number) => number, c: Case): number[] {
  const idx: number[] = [];
  for (let i = 0; i < c.ctx.n; i++) if (c.exclude[i] === 0) idx.push(i);
  const s = idx.map(score);
  return idx
    .map((i, j) => ({ i, s: s[j] }))
    .sort((a, b) => (a.s === b.s ? a.i - b.i : b.s - a.s))
    .map((e) => e.i);
}

export function row(a: Float64Array, i: number, width: number): number[] {
  return Array.from(a.subarray(i * width, (i + 1) * width));
}

/** Runs a strategy and returns its picks; checks it left the mask alone. */
export function run(pick: (ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array) => number, c: Case): number[] {
  const before = Uint8Array.from(c.exclude);
  const out = new Int32Array(c.ctx.n + 4);
  const taken = pick(c.ctx, c.count, c.exclude, out);
  if (!before.every((v, i) => v === c.exclude[i])) throw new Error('the strategy modified exclude');
  return Array.from(out.subarray(0, taken));
}

export function available(c: Case): number {
  let a = 0;
  for (let i = 0; i < c.ctx.n; i++) if (c.exclude[i] === 0) a++;
  return a;
}
