/**
 * `--dataset FILE --label-column COL` on the commands that take tasks (eval, benchmark, check,
 * serve): the user's CSV becomes the task `csv-NAME` of the one task registry
 * (src/env/datasets/user-task.ts) before the command runs. Environment variables DATASET /
 * DATASET_LABEL_COLUMN are the defaults.
 */
import type { Command } from 'commander';
import { registerCsvTask } from '../env/datasets/user-task.ts';
import { UsageError, reportError } from './errors.ts';

export interface DatasetFlags {
  dataset?: string;
  labelColumn?: string;
}

export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--dataset <file>', "a CSV of your own (header row, numeric features, one label column) served as task csv-NAME (env DATASET)")
    .option('--label-column <name>', 'with --dataset: the label column, by header name or 0-based index (env DATASET_LABEL_COLUMN, default label)');
}

/** Registers the flags' CSV as a task and returns its id (null without --dataset). */
export function applyDatasetOptions(flags: DatasetFlags, env: NodeJS.ProcessEnv = process.env): string | null {
  const file = flags.dataset ?? (env.DATASET && env.DATASET.trim() !== '' ? env.DATASET : undefined);
  const column = flags.labelColumn ?? (env.DATASET_LABEL_COLUMN && env.DATASET_LABEL_COLUMN.trim() !== '' ? env.DATASET_LABEL_COLUMN : undefined);
  if (file === undefined) {
    if (flags.labelColumn !== undefined) throw new UsageError('--label-column needs --dataset');
    return null;
  }
  return registerCsvTask(file, column ?? 'label').id;
}

/**
 * Adds the dataset flags and the command's action: the CSV is read, validated and registered
 * first (so the task flags may name its task), then `run` gets the flags and that task's id (null
 * without --dataset). Whatever either throws is reported as one line (and JSON with --json).
 */
export function actionWithDataset<F extends DatasetFlags & { json?: boolean }>(cmd: Command, run: (flags: F, csvTask: string | null) => Promise<void>): Command {
  return addDatasetOptions(cmd).action(async (flags: F) => {
    try {
      await run(flags, applyDatasetOptions(flags));
    } catch (e) {
      reportError(e, flags.json);
    }
  });
}
