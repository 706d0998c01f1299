/** In-process environment figures against the original (reset ≈ 5.5 ms, step ≈ 2.0 ms). */
import { measureAllocationPerStep, measureInproc, measureWarmReset } from '../src/bench/inproc.ts';
import { TASK_IDS } from '../src/env/tasks.ts';
import type { Figure } from './report.ts';

export const ORIGINAL_RESET_MS = 5.5;
export const ORIGINAL_STEP_MS = 2.0;

export function envFigures(quick: boolean): Figure[] {
  const figures: Figure[] = [];
  for (const task of TASK_IDS) {
    const f = measureInproc(task, { episodes: quick ? 60 : 300, warmupEpisodes: quick ? 10 : 30 });
    figures.push(
      { section: 'in-process', name: `reset ${task}`, value: f.reset_ms, unit: 'ms', original: ORIGINAL_RESET_MS, better: 'lower', goalRatio: 15, note: `median of ${f.resets}, every seed new` },
      { section: 'in-process', name: `reset ${task}, seed seen before`, value: measureWarmReset(task, quick ? 100 : 300), unit: 'ms', original: ORIGINAL_RESET_MS, better: 'lower', note: 'seed cache hit' },
      { section: 'in-process', name: `step ${task}`, value: f.step_ms, unit: 'ms', original: ORIGINAL_STEP_MS, better: 'lower', goalRatio: 20, note: `median of ${f.steps}, balanced b10` },
    );
  }
  for (const task of TASK_IDS) {
    const a = measureAllocationPerStep(task, quick ? 20 : 60);
    if (a) {
      figures.push({
        section: 'in-process',
        name: `allocated per step ${task}`,
        value: a.bytes_per_step,
        unit: 'B',
        better: 'lower',
        note: `${a.steps} steps${a.exact ? '' : ', a GC ran: lower bound'}`,
      });
    }
  }
  return figures;
}
