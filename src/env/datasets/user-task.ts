/**
 * A task for a user's CSV (`--dataset FILE --label-column COL`, docs/datasets.md "Your own CSV"):
 * the file is validated and registered in the data-set registry, the task's numbers follow from
 * its size, its grade anchors are computed once at registration over USER_ANCHOR_SEEDS, and the
 * task joins the task registry as `csv-NAME` (served by every transport like a built-in one).
 */
import { getTask, datasetTask, registerTask, type DatasetTaskSpec } from '../tasks.ts';
import { computeTaskAnchors } from './anchors-compute.ts';
import { DatasetError, type Dataset } from './csv.ts';
import { classSplit, minRowsPerClass, type SplitSpec } from './generate.ts';
import { registerUserDataset, userDatasetId } from './registry.ts';

/** Seeds a user task's anchors are means over (fewer than the built-ins': computed at start-up). */
export const USER_ANCHOR_SEEDS = Object.freeze({ first: 1000, last: 1029 });

export const USER_SPLIT: SplitSpec = Object.freeze({ seedPerClass: 1, validationFraction: 0.15, testFraction: 0.25 });

/** Refuses a data set whose smallest class cannot fill every split (naming the class and its rows). */
export function checkSplittable(ds: Dataset, split: SplitSpec, origin: string): void {
  const need = minRowsPerClass(split);
  const counts = new Array<number>(ds.nClasses).fill(0);
  for (let i = 0; i < ds.nRows; i++) counts[ds.y[i]]++;
  counts.forEach((c, k) => {
    if (c < need) {
      throw new DatasetError(
        'too_few_rows',
        `${origin}: class '${ds.classNames[k]}' has ${c} row(s); the splits need at least ${need} per class ` +
          `(${split.seedPerClass} seed, 1 validation, 1 test, 1 pool)`,
      );
    }
  });
}

/** The task of a validated user data set: budget a quarter of the pool (5 … 200), 10 steps. */
export function userTaskSpec(ds: Dataset, split: SplitSpec = USER_SPLIT): DatasetTaskSpec {
  const counts = new Array<number>(ds.nClasses).fill(0);
  for (let i = 0; i < ds.nRows; i++) counts[ds.y[i]]++;
  const pool = counts.reduce((s, c) => s + classSplit(c, split).pool, 0);
  const budget = Math.max(Math.min(Math.ceil(pool / 4), 200), Math.min(5, pool));
  const maxSteps = 10;
  const base = datasetTask({
    id: ds.id,
    dataset: ds.id,
    difficulty: ds.nClasses === 2 ? 'binary' : 'multiclass',
    nRows: ds.nRows,
    nFeatures: ds.nFeatures,
    nClasses: ds.nClasses,
    budget,
    maxSteps,
    minBatch: Math.max(1, Math.min(5, Math.floor(budget / maxSteps))),
    split,
    summary: `A user's CSV (${ds.source}): ${ds.nRows} rows, ${ds.nFeatures} features, ${ds.nClasses} classes.`,
    anchors: { clean: PENDING, flips: PENDING, defaulting: PENDING },
  });
  return base;
}

const PENDING = Object.freeze({ random: 0, reference: 1, oracle_uncertainty: 1, oracle_random: 1, n: 0 });

/**
 * Reads, validates and registers `file` (label column `labelColumn`) and its task; returns the
 * task. Idempotent for the same file and column. Throws a DatasetError naming the problem.
 */
export function registerCsvTask(file: string, labelColumn: string): DatasetTaskSpec {
  const id = userDatasetId(file);
  const known = getTask(id);
  if (known && known.family === 'dataset') return known;
  const ds = registerUserDataset(file, labelColumn, id);
  checkSplittable(ds, USER_SPLIT, file);
  const draft = userTaskSpec(ds);
  const anchors = computeTaskAnchors(draft, USER_ANCHOR_SEEDS.first, USER_ANCHOR_SEEDS.last);
  // A regime no anchor seed drew takes the first drawn regime's anchors (so every regime has a grade).
  const seen = Object.values(anchors).filter((a) => a.n > 0);
  const fallback = { ...seen[0], n: 0 };
  for (const r of Object.keys(anchors) as (keyof typeof anchors)[]) if (!(anchors[r].n > 0)) anchors[r] = fallback;
  const task: DatasetTaskSpec = { ...draft, anchors };
  registerTask(task);
  return task;
}
