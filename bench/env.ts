/** In-process environment figures against the original (reset ≈ 5.5 ms, step ≈ 2.0 ms). */
import { measureInproc } from '../src/eval/timing.ts';
import { measureAllocationPerStep, measureCurationReset, measureWarmReset } from './inproc.ts';
import { CLASSIC_TASK_IDS, CURATION_TASK_IDS, TASK_IDS } from '../src/env/tasks.ts';
import type { Figure } from '../tools/bench-report.ts';

export const ORIGINAL_RESET_MS = 5.5;
export const ORIGINAL_STEP_MS = 2.0;

/** The curation family's own goals (issue 17): no original to compare with. */
export const CURATION_STEP_GOAL_MS = 0.15;
export const CURATION_RESET_GOAL_MS = 2;

export async function envFigures(quick: boolean): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const task of CLASSIC_TASK_IDS) {
    const f = measureInproc(task, { episodes: quick ? 60 : 300, warmupEpisodes: quick ? 10 : 30 });
    figures.push(
      { section: 'in-process', name: `reset ${task}`, value: f.reset_ms, unit: 'ms', original: ORIGINAL_RESET_MS, better: 'lower', goalRatio: 15, note: `median of ${f.resets}, every seed new` },
      { section: 'in-process', name: `reset ${task}, seed seen before`, value: measureWarmReset(task, quick ? 100 : 300), unit: 'ms', original: ORIGINAL_RESET_MS, better: 'lower', note: 'seed cache hit' },
      { section: 'in-process', name: `step ${task}`, value: f.step_ms, unit: 'ms', original: ORIGINAL_STEP_MS, better: 'lower', goalRatio: 20, note: `median of ${f.steps}, balanced b10` },
    );
  }
  for (const task of CURATION_TASK_IDS) {
    const f = measureInproc(task, { episodes: quick ? 60 : 300, warmupEpisodes: quick ? 10 : 30 });
    const r = await measureCurationReset(task, quick ? 30 : 100);
    figures.push(
      { section: 'in-process', name: `reset ${task}`, value: f.reset_ms, unit: 'ms', better: 'lower', goalAbsolute: CURATION_RESET_GOAL_MS, note: `median of ${f.resets}, seeds 0…${f.resets - 1} (new seeds except the cache's last 16)` },
      { section: 'in-process', name: `  of which data generation`, value: r.generate_ms, unit: 'ms', better: 'lower', note: '≈103,000 gaussians (half skipped in clean sources), standardisation' },
      { section: 'in-process', name: `reset ${task}, data cached`, value: r.cached_reset_ms, unit: 'ms', better: 'lower', goalAbsolute: CURATION_RESET_GOAL_MS, note: 'seed set + first fit + pool probabilities' },
      { section: 'in-process', name: `step ${task}`, value: f.step_ms, unit: 'ms', better: 'lower', goalAbsolute: CURATION_STEP_GOAL_MS, note: `median of ${f.steps}, balanced b10 (refit: 10 epochs over all labelled rows)` },
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
