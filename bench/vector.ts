/**
 * In-process throughput of the vector environment (docs/vector.md): transitions per second of N
 * lone environments stepped in a loop (each reset as soon as its episode ends) against one
 * VectorEnv of N (next-step autoreset), N = 8 and 32, balanced batch-10 actions. Both do the same
 * environment work; the figure shows what the vector's batching costs or saves. tinybench.
 */
import { Bench } from 'tinybench';
import { BALANCED_ACTION } from '../src/env/baseline.ts';
import { makeEnv } from '../src/env/make.ts';
import { VectorEnv } from '../src/env/vector.ts';
import type { Figure } from '../tools/bench-report.ts';

/** A counter of the environment transitions (steps; an autoreset step counts as none) done by a bench function. */
interface Counted {
  calls: number;
  transitions: number;
}

function loneLoop(task: string, n: number, seed: number): { fn: () => void; count: Counted } {
  const envs = Array.from({ length: n }, () => makeEnv(task));
  const seeds = envs.map((env, i) => {
    env.reset({ task, seed: seed + i });
    return seed + i;
  });
  const count: Counted = { calls: 0, transitions: 0 };
  const fn = () => {
    for (let i = 0; i < n; i++) {
      if (envs[i].step(BALANCED_ACTION).done) {
        seeds[i] += n;
        envs[i].reset({ task, seed: seeds[i] });
      }
    }
    count.calls++;
    count.transitions += n;
  };
  return { fn, count };
}

function vectorLoop(task: string, n: number, seed: number): { fn: () => void; count: Counted } {
  const vec = new VectorEnv(task, n);
  vec.reset({ seed });
  const actions = new Array(n).fill(BALANCED_ACTION);
  const ended = new Uint8Array(n);
  const count: Counted = { calls: 0, transitions: 0 };
  const fn = () => {
    const r = vec.step(actions);
    let stepped = 0;
    for (let i = 0; i < n; i++) {
      // A sub-environment that ended in the previous call was reset in this one (no transition).
      if (ended[i] === 0) stepped++;
      ended[i] = r.terminated[i] | r.truncated[i];
    }
    count.calls++;
    count.transitions += stepped;
  };
  return { fn, count };
}

export async function vectorFigures(quick: boolean): Promise<Figure[]> {
  const figures: Figure[] = [];
  const bench = new Bench({ time: quick ? 300 : 1500, warmupTime: quick ? 100 : 300 });
  const counts = new Map<string, Counted>();
  const cases: { task: string; n: number }[] = [
    { task: 'easy', n: 8 },
    { task: 'easy', n: 32 },
    { task: 'curation-easy', n: 8 },
    { task: 'curation-easy', n: 32 },
  ];
  for (const { task, n } of cases) {
    for (const [kind, make] of [['lone', loneLoop], ['vector', vectorLoop]] as const) {
      const name = `${kind} ${task} N=${n}`;
      // Different seeds for the two, so that neither meets the other's seeds in the seed cache.
      const { fn, count } = make(task, n, kind === 'lone' ? 1000 : 500_000);
      counts.set(name, count);
      bench.add(name, fn);
    }
  }
  await bench.run();
  const rate = (name: string) => {
    const task = bench.tasks.find((t) => t.name === name)!;
    const r = task.result as { latency?: { mean: number }; mean?: number };
    const meanMs = r.latency?.mean ?? r.mean ?? Number.NaN;
    const c = counts.get(name)!;
    return c.transitions / c.calls / (meanMs / 1000);
  };
  for (const { task, n } of cases) {
    const lone = rate(`lone ${task} N=${n}`);
    const vector = rate(`vector ${task} N=${n}`);
    figures.push(
      { section: 'vector', name: `${task}: ${n} lone envs in a loop`, value: lone, unit: 'steps/s', better: 'higher', note: 'each reset when its episode ends; balanced b10' },
      { section: 'vector', name: `${task}: VectorEnv N=${n}`, value: vector, unit: 'steps/s', better: 'higher', note: `next-step autoreset; ${(vector / lone).toFixed(2)}× the lone loop` },
    );
  }
  return figures;
}
