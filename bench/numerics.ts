/** Micro-benchmarks of the numeric core (tinybench). */
import { Bench } from 'tinybench';
import { RandomState } from '../src/numerics/random-state.ts';
import { SgdLogistic } from '../src/numerics/sgd.ts';
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
  const bench = new Bench({ time: quick ? 150 : 600, warmupTime: quick ? 50 : 150 });
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
  ];
}
