/**
 * Task splits (OpenEnv's Task API, docs/source/guides/task-api.md): each split is a fixed,
 * enumerable list of (task, seed) pairs, so a trainer can shard work with `num_tasks` and start
 * exactly one of them with `reset(split, index)`. Pure and deterministic: no I/O, no randomness.
 *
 * A seed fixes the episode's pool (jitter, noise mask, sampler draws), so disjoint seed ranges are
 * disjoint episodes. Each task family has its own three splits (a split's tasks are of one family,
 * so its index layout never mixes observation shapes):
 * - classic `test` holds seeds 0–999: the seeds results are already reported on (the default seed
 *   42, `eval --seeds 0..19`, the golden traces) stay out of training; `validation` is 1000–9999,
 *   `train` everything from 10000 up to 2³²−1;
 * - curation `curation-test` holds seeds 0–2999: the golden traces (0–7, 42), the anchor seeds
 *   (1000–1199, whose episodes define the grade's normalisation) and the seeds of the README's
 *   evaluation (2000–2199); `curation-validation` is 3000–9999, `curation-train` 10000 up to 2³²−1.
 *
 * Within a split the tasks of the family are interleaved, index = position·T + task, so every
 * prefix (a shard, a `task_range`) covers the tasks evenly and adding a split never renumbers
 * another. The task lists are fixed here (not read from the registry) so a task added to the
 * registry later cannot change what an existing index means.
 */
import { EnvError } from './errors.ts';
import { MAX_SEED } from './spaces.ts';
import { TASK_IDS, getTask } from './tasks.ts';

export type SplitType = 'train' | 'validation' | 'test';

export interface SplitSpec {
  name: string;
  type: SplitType;
  family: string;
  /** Task ids in index order (index % tasks.length picks the task). */
  tasks: readonly string[];
  /** First seed and number of seeds, per task. */
  seedStart: number;
  seedCount: number;
  description: string;
}

/** One entry of a split: what `reset(split, index)` starts. */
export interface TaskEntry {
  id: string;
  split: string;
  index: number;
  family: string;
  task_id: string;
  seed: number;
}

const CLASSIC_TASKS = ['easy', 'medium', 'hard'] as const;
const CURATION_TASKS = ['curation-easy', 'curation-medium', 'curation-hard'] as const;

/**
 * A split of the data-set family: its tasks are the family's registered tasks, read when asked —
 * the built-in four and a user's CSV task registered at start-up (`--dataset`), in registry order.
 */
function datasetSplit(o: Omit<SplitSpec, 'family' | 'tasks'>): SplitSpec {
  return {
    ...o,
    family: 'dataset',
    get tasks(): readonly string[] {
      return TASK_IDS.filter((id) => getTask(id)?.family === 'dataset');
    },
  };
}

const SPLIT_LIST: readonly SplitSpec[] = [
  {
    name: 'train',
    type: 'train',
    family: 'classic',
    tasks: CLASSIC_TASKS,
    seedStart: 10_000,
    seedCount: MAX_SEED - 10_000 + 1,
    description: 'Seeds 10000 … 4294967295 of easy, medium and hard (interleaved): for training.',
  },
  {
    name: 'validation',
    type: 'validation',
    family: 'classic',
    tasks: CLASSIC_TASKS,
    seedStart: 1_000,
    seedCount: 9_000,
    description: 'Seeds 1000 … 9999 of easy, medium and hard: for model selection, never trained on.',
  },
  {
    name: 'test',
    type: 'test',
    family: 'classic',
    tasks: CLASSIC_TASKS,
    seedStart: 0,
    seedCount: 1_000,
    description:
      'Seeds 0 … 999 of easy, medium and hard: held out; contains the seeds results are reported on (42, 0..19, the golden traces).',
  },
  {
    name: 'curation-train',
    type: 'train',
    family: 'curation',
    tasks: CURATION_TASKS,
    seedStart: 10_000,
    seedCount: MAX_SEED - 10_000 + 1,
    description: 'Seeds 10000 … 4294967295 of curation-easy, -medium and -hard (interleaved): for training.',
  },
  {
    name: 'curation-validation',
    type: 'validation',
    family: 'curation',
    tasks: CURATION_TASKS,
    seedStart: 3_000,
    seedCount: 7_000,
    description: 'Seeds 3000 … 9999 of the curation tasks: for model selection, never trained on.',
  },
  {
    name: 'curation-test',
    type: 'test',
    family: 'curation',
    tasks: CURATION_TASKS,
    seedStart: 0,
    seedCount: 3_000,
    description:
      'Seeds 0 … 2999 of the curation tasks: held out; contains the golden traces (0 … 7, 42), the anchor seeds (1000 … 1199) and the evaluation seeds reported in the README (2000 … 2199).',
  },
  datasetSplit({
    name: 'dataset-train',
    type: 'train',
    seedStart: 10_000,
    seedCount: MAX_SEED - 10_000 + 1,
    description: 'Seeds 10000 … 4294967295 of the data-set tasks (interleaved): for training.',
  }),
  datasetSplit({
    name: 'dataset-validation',
    type: 'validation',
    seedStart: 3_000,
    seedCount: 7_000,
    description: 'Seeds 3000 … 9999 of the data-set tasks: for model selection, never trained on.',
  }),
  datasetSplit({
    name: 'dataset-test',
    type: 'test',
    seedStart: 0,
    seedCount: 3_000,
    description:
      'Seeds 0 … 2999 of the data-set tasks: held out; contains the golden traces (0, 4, 7), the anchor seeds (1000 … 1119) and the benchmark seeds reported in the README (0 … 29).',
  }),
];

export const SPLITS: ReadonlyMap<string, SplitSpec> = new Map(SPLIT_LIST.map((s) => [s.name, Object.freeze(s)]));
export const SPLIT_NAMES: readonly string[] = SPLIT_LIST.map((s) => s.name);

/** Most entries one `task_range` / `tasks` answer carries (a train split has ~1.3e10). */
export const MAX_RANGE = 10_000;
/** `list_tasks` is a bounded preview; `num_tasks` stays the honest total. */
export const LIST_PREVIEW = 1_000;

export function getSplit(name: string): SplitSpec {
  const split = SPLITS.get(name);
  if (!split) {
    throw new EnvError('invalid_split', `Unknown split '${name}'. Valid: [${SPLIT_NAMES.map((n) => `'${n}'`).join(', ')}]`);
  }
  return split;
}

export function numTasks(split: SplitSpec): number {
  return split.seedCount * split.tasks.length;
}

const outOfRange = (split: SplitSpec, index: number) =>
  new EnvError(
    'index_out_of_range',
    `index ${index} out of range for split '${split.name}' (num_tasks=${numTasks(split)})`,
  );

/** The entry at `index` (0 ≤ index < num_tasks, else index_out_of_range). */
export function taskAt(split: SplitSpec, index: number): TaskEntry {
  if (!Number.isSafeInteger(index) || index < 0 || index >= numTasks(split)) throw outOfRange(split, index);
  const t = split.tasks.length;
  return {
    id: `${split.name}-${index}`,
    split: split.name,
    index,
    family: split.family,
    task_id: split.tasks[index % t],
    seed: split.seedStart + Math.floor(index / t),
  };
}

/** Python's slice bounds: negatives count from the end, everything is clamped into [0, n]. */
export function sliceBounds(n: number, start: number | null, stop: number | null): [number, number] {
  const clamp = (v: number) => (v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  const lo = start === null ? 0 : clamp(start);
  const hi = stop === null ? n : clamp(stop);
  return [lo, Math.max(lo, hi)];
}

/** `split[start:stop]`, refused beyond MAX_RANGE entries (answers must stay small). */
export function taskRange(split: SplitSpec, start: number | null, stop: number | null): TaskEntry[] {
  const [lo, hi] = sliceBounds(numTasks(split), start, stop);
  if (hi - lo > MAX_RANGE) {
    throw new EnvError(
      'range_too_large',
      `task_range [${lo}, ${hi}) has ${hi - lo} entries; at most ${MAX_RANGE} per request (page with start/stop)`,
    );
  }
  const out: TaskEntry[] = new Array(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = taskAt(split, i);
  return out;
}

/** Where a (task, seed) pair lives, if it is in any split (for exports and metadata). */
export function locate(taskId: string, seed: number): { split: string; index: number } | null {
  for (const s of SPLIT_LIST) {
    const pos = s.tasks.indexOf(taskId);
    if (pos < 0 || seed < s.seedStart || seed >= s.seedStart + s.seedCount) continue;
    return { split: s.name, index: (seed - s.seedStart) * s.tasks.length + pos };
  }
  return null;
}

/**
 * What a reset with `split` starts. With `index`: that entry, and an explicit task_id or seed
 * must agree with it. Without `index`: the task (default `defaults.task`) and the seed if it lies
 * in the split's range, else seedStart + (seed mod seedCount), so every seed gives a reproducible
 * episode of the split.
 */
export function selectFromSplit(
  splitName: string,
  sel: { index: number | null; taskId: string | null; seed: number | null },
  defaults: { task: string; seed: number },
): TaskEntry {
  const split = getSplit(splitName);
  if (sel.index !== null) {
    const entry = taskAt(split, sel.index);
    const conflicts: string[] = [];
    if (sel.taskId !== null && sel.taskId !== entry.task_id) conflicts.push(`task_id '${sel.taskId}' ≠ '${entry.task_id}'`);
    if (sel.seed !== null && sel.seed !== entry.seed) conflicts.push(`seed ${sel.seed} ≠ ${entry.seed}`);
    if (conflicts.length > 0) {
      throw new EnvError(
        'invalid_request',
        `split '${split.name}' index ${sel.index} is ${entry.task_id}/seed ${entry.seed}; the request also says ${conflicts.join(', ')}`,
        [{ loc: ['index'], msg: 'index fixes task_id and seed; omit them or send the same values', type: 'value_error' }],
      );
    }
    return entry;
  }
  // Without a task_id: the default task when the split has it, else the split's first task.
  const taskId = sel.taskId ?? (split.tasks.includes(defaults.task) ? defaults.task : split.tasks[0]!);
  const pos = split.tasks.indexOf(taskId);
  if (pos < 0) {
    throw new EnvError('invalid_task', `Task '${taskId}' is not in split '${split.name}' (tasks: ${split.tasks.join(', ')})`);
  }
  const wanted = sel.seed ?? defaults.seed;
  const inRange = wanted >= split.seedStart && wanted < split.seedStart + split.seedCount;
  const seed = inRange ? wanted : split.seedStart + (wanted % split.seedCount);
  return taskAt(split, (seed - split.seedStart) * split.tasks.length + pos);
}
