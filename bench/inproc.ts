/**
 * In-process figures of the environment beyond the median reset/step times (those are
 * src/eval/timing.ts, which `dataselectenv bench inproc` runs too): resets of a seed seen
 * before, bytes allocated per step, where a curation reset's time goes. Used by `npm run bench`.
 */
import { BALANCED_ACTION } from '../src/env/baseline.ts';
import { setCurationCacheCapacity } from '../src/env/curation/data-cache.ts';
import { makeEnv } from '../src/env/make.ts';
import { getTask } from '../src/env/tasks.ts';
import { median } from '../src/eval/stats.ts';


/**
 * Median reset time when the seed was seen recently (the seed cache holds its pool jitter): every
 * task of one seed in turn, as an evaluation over seeds × tasks does.
 */
export function measureWarmReset(task: string, resets = 300): number {
  const env = makeEnv(task);
  const seeds = 8;
  const primer = getTask(task)?.family === 'curation' ? task : 'easy';
  for (let s = 0; s < seeds; s++) env.reset({ task: primer, seed: 5000 + s });
  const times: number[] = [];
  for (let i = 0; i < resets; i++) {
    const t0 = performance.now();
    env.reset({ task, seed: 5000 + (i % seeds) });
    times.push(performance.now() - t0);
  }
  return median(times);
}

export interface AllocationFigures {
  task: string;
  bytes_per_step: number;
  steps: number;
  /** False when a garbage collection ran during the measurement (the figure is then a lower bound). */
  exact: boolean;
}

/**
 * Bytes allocated per step: the growth of V8's used heap over many steps with no collection in
 * between (needs `--expose-gc`, and a young generation large enough, e.g. --max-semi-space-size=64).
 * The resets are done beforehand so only steps are counted.
 */
export function measureAllocationPerStep(task: string, episodes = 40): AllocationFigures | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  const envs = Array.from({ length: episodes }, (_, i) => {
    const env = makeEnv(task);
    env.reset({ task, seed: i });
    return env;
  });
  // Warm the step path (JIT) on a separate episode.
  const warm = makeEnv(task);
  for (let i = 0; i < 5; i++) {
    warm.reset({ task, seed: 1000 + i });
    while (!warm.step(BALANCED_ACTION).done);
  }
  gc();
  const { heapUsed: before } = process.memoryUsage();
  const gcCountBefore = gcCount();
  let steps = 0;
  for (const env of envs) {
    while (!env.step(BALANCED_ACTION).done) steps++;
    steps++;
  }
  const { heapUsed: after } = process.memoryUsage();
  const exact = gcCount() === gcCountBefore;
  return { task, bytes_per_step: Math.max(0, (after - before) / steps), steps, exact };
}

let gcEvents = 0;
let observing = false;
function gcCount(): number {
  if (!observing) {
    observing = true;
    new PerformanceObserver((list) => {
      gcEvents += list.getEntries().length;
    }).observe({ entryTypes: ['gc'] });
  }
  return gcEvents;
}

export interface ResetBreakdown {
  task: string;
  /** Generating a new seed's data (docs/curation.md), the part the data cache saves. */
  generate_ms: number;
  /** A reset whose data is cached: the seed set and the first fit. */
  cached_reset_ms: number;
}

/** Where a curation reset's time goes: data generation versus the rest (medians). */
export async function measureCurationReset(task: string, resets = 100): Promise<ResetBreakdown> {
  const { generateCurationData } = await import('../src/env/curation/generate.ts');
  const gen: number[] = [];
  for (let i = 0; i < resets; i++) {
    const t0 = performance.now();
    generateCurationData(20_000 + i);
    gen.push(performance.now() - t0);
  }
  const old = setCurationCacheCapacity(16);
  const env = makeEnv(task);
  env.reset({ task, seed: 7 });
  const cached: number[] = [];
  for (let i = 0; i < resets; i++) {
    const t0 = performance.now();
    env.reset({ task, seed: 7 });
    cached.push(performance.now() - t0);
  }
  setCurationCacheCapacity(old);
  return { task, generate_ms: median(gen), cached_reset_ms: median(cached) };
}
