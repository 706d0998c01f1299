/**
 * In-process timing of the environment: median reset and step times of whole episodes with the
 * balanced action (batch 10). `dataselectenv bench inproc` prints it; `npm run bench` (bench/)
 * reports it with the original's figures.
 */
import { BALANCED_ACTION } from '../env/baseline.ts';
import { makeEnv } from '../env/make.ts';
import { median } from './stats.ts';

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
