/**
 * Recomputes the grade anchors (docs/curation.md) from scratch: for each seed of the range, one
 * random-only batch-10 episode and the two clean-label oracles per task; means per task and
 * regime are plain sums in seed order. `reference` is the better oracle mean. Each seed's data is
 * generated once and shared by every task and policy.
 */
import { playAnchorEpisode } from './env.ts';
import { generateCurationData } from './generate.ts';
import type { Regime } from './params.ts';
import type { Anchor } from './anchors.ts';
import { CURATION_TASK_IDS, getTask, type CurationTaskSpec } from '../tasks.ts';

export function computeAnchors(firstSeed: number, lastSeed: number, taskIds: readonly string[] = CURATION_TASK_IDS): Record<string, Record<Regime, Anchor>> {
  const tasks = taskIds.map((id) => getTask(id) as CurationTaskSpec);
  type Sums = { random: number; u: number; d: number; n: number };
  const sums = tasks.map(() => ({ clean: { random: 0, u: 0, d: 0, n: 0 } as Sums, defaulting: { random: 0, u: 0, d: 0, n: 0 } as Sums }));
  for (let seed = firstSeed; seed <= lastSeed; seed++) {
    const data = generateCurationData(seed);
    tasks.forEach((task, t) => {
      const acc = sums[t][data.hidden.regime];
      acc.random += playAnchorEpisode(task, data, 'random');
      acc.u += playAnchorEpisode(task, data, 'oracle_uncertainty');
      acc.d += playAnchorEpisode(task, data, 'oracle_diversity');
      acc.n += 1;
    });
  }
  const out: Record<string, Record<Regime, Anchor>> = {};
  tasks.forEach((task, t) => {
    const one = (s: Sums): Anchor => {
      const u = s.u / s.n;
      const d = s.d / s.n;
      return { random: s.random / s.n, reference: Math.max(u, d), oracle_uncertainty: u, oracle_diversity: d, n: s.n };
    };
    out[task.id] = { clean: one(sums[t].clean), defaulting: one(sums[t].defaulting) };
  });
  return out;
}
