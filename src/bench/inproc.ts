/**
 * In-process timing of the environment: median reset and step times per task with the balanced
 * action (batch 10), and bytes allocated per step. Used by `npm run bench` and by
 * `dataselectenv bench inproc`.
 */
import { BALANCED_ACTION } from '../env/baseline.ts';
import { setCurationCacheCapacity } from '../env/curation/data-cache.ts';
import { makeEnv } from '../env/make.ts';
import { getTask } from '../env/tasks.ts';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface InprocFigures {
  task: string;
  reset_ms: number;
  step_ms: number;
  resets: number;
  steps: number;
}

/** Runs whole episodes (reset, balanced steps until done), timing each call. */
export function measureInproc(task: string, options: { episodes?: number; warmupEpisodes?: number } = {}): InprocFigures {
  const episodes = options.episodes ?? 200;
  const warmup = options.warmupEpisodes ?? 20;
  const env = makeEnv(task);
  env.reset({ task, seed: 0 }); // builds the shared world outside the timed region
  const resetTimes: number[] = [];
  const stepTimes: number[] = [];
  for (let e = 0; e < warmup + episodes; e++) {
    const seed = e % 1000;
    let t0 = performance.now();
    env.reset({ task, seed });
    let t1 = performance.now();
    if (e >= warmup) resetTimes.push(t1 - t0);
    let done = false;
    while (!done) {
      t0 = performance.now();
      done = env.step(BALANCED_ACTION).done;
      t1 = performance.now();
      if (e >= warmup) stepTimes.push(t1 - t0);
    }
  }
  return { task, reset_ms: median(resetTimes), step_ms: median(stepTimes), resets: resetTimes.length, steps: stepTimes.length };
}

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
  const { generateCurationData } = await import('../env/curation/generate.ts');
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
