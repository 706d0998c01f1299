/**
 * Recomputes the data-set tasks' grade anchors (docs/datasets.md "Grade and anchors"): for each
 * seed of the range, one `random` episode and the two clean-label oracles per task; means per
 * task and regime are plain sums in seed order; `reference` is the better oracle mean.
 */
import { DATASET_TASK_IDS, getTask, type DatasetTaskSpec } from '../tasks.ts';
import type { DatasetAnchor } from './anchors.ts';
import { playDatasetAnchorEpisode } from './env.ts';
import { DATASET_REGIMES, generateEpisodeData, type DatasetRegime } from './generate.ts';
import { getDataset } from './registry.ts';

export function computeDatasetAnchors(
  firstSeed: number,
  lastSeed: number,
  taskIds: readonly string[] = DATASET_TASK_IDS,
): Record<string, Record<DatasetRegime, DatasetAnchor>> {
  const out: Record<string, Record<DatasetRegime, DatasetAnchor>> = {};
  for (const id of taskIds) out[id] = computeTaskAnchors(getTask(id) as DatasetTaskSpec, firstSeed, lastSeed);
  return out;
}

/** One task's anchors (also used for a user's CSV task at registration). */
export function computeTaskAnchors(task: DatasetTaskSpec, firstSeed: number, lastSeed: number): Record<DatasetRegime, DatasetAnchor> {
  const ds = getDataset(task.dataset);
  type Sums = { random: number; u: number; r: number; n: number };
  const sums = Object.fromEntries(DATASET_REGIMES.map((r) => [r, { random: 0, u: 0, r: 0, n: 0 }])) as Record<DatasetRegime, Sums>;
  for (let seed = firstSeed; seed <= lastSeed; seed++) {
    const data = generateEpisodeData(ds, task.split, seed);
    const acc = sums[data.hidden.regime];
    acc.random += playDatasetAnchorEpisode(task, data, 'random');
    acc.u += playDatasetAnchorEpisode(task, data, 'oracle_uncertainty');
    acc.r += playDatasetAnchorEpisode(task, data, 'oracle_random');
    acc.n += 1;
  }
  const one = (s: Sums): DatasetAnchor => {
    const u = s.u / s.n;
    const r = s.r / s.n;
    return { random: s.random / s.n, reference: Math.max(u, r), oracle_uncertainty: u, oracle_random: r, n: s.n };
  };
  return { clean: one(sums.clean), flips: one(sums.flips), defaulting: one(sums.defaulting) };
}
