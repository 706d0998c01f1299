/** Micro-benchmarks of the numeric core (tinybench). */
import { Bench } from 'tinybench';
import { RandomState } from '../src/numerics/random-state.ts';
import { SgdLogistic } from '../src/numerics/sgd.ts';
import { SoftmaxSgd } from '../src/numerics/softmax-sgd.ts';
import { useSgdKernel } from '../src/numerics/sgd-kernel.ts';
import { getWorld } from '../src/env/world.ts';
import { CLASSIC_DATA } from '../src/env/tasks.ts';
import type { Figure } from '../tools/bench-report.ts';

export async function numericsFigures(quick: boolean): Promise<Figure[]> {
  const world = getWorld(CLASSIC_DATA);
  const rs = RandomState.fromSeed(1);
  const buf = new Float64Array(1000);
  const model = world.warmModel.clone();
  const rows10 = Int32Array.from({ length: 10 }, (_, i) => 400 + i);
  const labels10 = world.y.subarray(400, 410);
  const poolRows = Int32Array.from({ length: 1100 }, (_, i) => 400 + i);
  const p1 = new Float64Array(1100);
  const fresh = new SgdLogistic(20);
  // Refits from scratch as the families run them, with the WebAssembly kernel (sgd-kernel.ts) and
  // without: curation's 10 epochs over 150 rows × 20 features; digits' softmax, 10 epochs over 85
  // rows × 64 features × 10 classes, and its probabilities for 977 pool rows.
  const curationModel = new SgdLogistic(20, 0.05);
  const rows150 = Int32Array.from({ length: 150 }, (_, i) => i);
  const labels150 = world.y.subarray(0, 150);
  const digitsX = RandomState.fromSeed(3).standardNormal(1100 * 64);
  const rows85 = Int32Array.from({ length: 85 }, (_, i) => 3 * i);
  const labels85 = Int32Array.from({ length: 85 }, (_, i) => (i * 7) % 10);
  const softmax = new SoftmaxSgd(64, 10, { eta0: 0.05, epochs: 10 });
  const pool977 = Int32Array.from({ length: 977 }, (_, i) => 100 + i);
  const p977 = new Float64Array(977 * 10);
  const bench = new Bench({ time: quick ? 150 : 600, warmupTime: quick ? 50 : 150 });
  for (const on of [true, false]) {
    const tag = on ? 'kernel' : 'TypeScript';
    bench
      .add(`curation refit ${tag}`, () => {
        const was = useSgdKernel(on);
        curationModel.fitFromScratch(world.X, rows150, labels150, 150, 10, true);
        useSgdKernel(was);
      })
      .add(`softmax refit ${tag}`, () => {
        const was = useSgdKernel(on);
        softmax.fit(digitsX, rows85, labels85, 85, true);
        useSgdKernel(was);
      })
      .add(`softmax predict ${tag}`, () => {
        const was = useSgdKernel(on);
        softmax.predictProbaInto(digitsX, pool977, 977, p977, true);
        useSgdKernel(was);
      });
  }
  bench
    .add('uint32 ×1000', () => {
      for (let i = 0; i < 1000; i++) rs.nextU32();
    })
    .add('gauss ×1000', () => {
      buf.fill(0);
      rs.addNormalInto(buf, 0, 1000, 0, 1);
    })
    .add('partial_fit 10 rows', () => {
      fresh.copyFrom(model);
      fresh.partialFit(world.X, rows10, labels10, 10);
    })
    .add('predict_proba 1100 rows', () => {
      model.predictProba1Into(world.X, poolRows, 1100, p1);
    });
  await bench.run();
  const byName = new Map(bench.tasks.map((t) => [t.name, t]));
  const meanMs = (name: string) => {
    const r = byName.get(name)!.result as { latency?: { mean: number }; mean?: number };
    return r.latency?.mean ?? r.mean ?? Number.NaN;
  };
  return [
    { section: 'numerics', name: 'MT19937 uint32', value: 1000 / meanMs('uint32 ×1000') / 1000, unit: 'M/s', better: 'higher' },
    { section: 'numerics', name: 'legacy gauss', value: 1000 / meanMs('gauss ×1000') / 1000, unit: 'M/s', better: 'higher' },
    { section: 'numerics', name: 'partial_fit (10 rows)', value: meanMs('partial_fit 10 rows') * 1000, unit: 'µs', better: 'lower' },
    { section: 'numerics', name: 'predict_proba (1100 rows)', value: meanMs('predict_proba 1100 rows') * 1000, unit: 'µs', better: 'lower' },
    ...(['kernel', 'TypeScript'] as const).flatMap((tag): Figure[] => [
      { section: 'numerics', name: `curation refit, ${tag}`, value: meanMs(`curation refit ${tag}`) * 1000, unit: 'µs', better: 'lower', note: '10 epochs × 150 rows × 20 features (SgdLogistic.fitFromScratch)' },
      { section: 'numerics', name: `softmax refit, ${tag}`, value: meanMs(`softmax refit ${tag}`) * 1000, unit: 'µs', better: 'lower', note: 'digits-shaped: 10 epochs × 85 rows × 64 features × 10 classes' },
      { section: 'numerics', name: `softmax probabilities, ${tag}`, value: meanMs(`softmax predict ${tag}`) * 1000, unit: 'µs', better: 'lower', note: '977 pool rows × 10 classes × 64 features' },
    ]),
  ];
}
