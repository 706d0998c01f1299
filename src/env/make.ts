/**
 * One way to get an environment for any task of the registry (Gymnasium's `make`): the task's
 * family decides the class. Servers, clients and tools create environments only through here, so
 * a new family is served by every transport once it is registered.
 */
import type { RngFingerprint } from '../numerics/random-state.ts';
import { CurationEnv } from './curation/env.ts';
import { DatasetEnv } from './datasets/env.ts';
import { DataSelectEnv } from './env.ts';
import { unknownTask } from './errors.ts';
import { DEFAULT_TASK, TASK_IDS, getTask, type TaskFamilyId, type TaskSpec } from './tasks.ts';
import type { EnvState, Grade, GradeInput, Observation, ResetResult, SelectionDetail, StepResult } from './types.ts';

/** What every family's environment offers (DataSelectEnv, CurationEnv and DatasetEnv implement it). */
export interface TaskEnv {
  reset(options?: { task?: string | null; seed?: number | string | null }): ResetResult;
  step(action: unknown): StepResult;
  state(): EnvState;
  currentObservation(): Observation | null;
  grade(): Grade;
  gradeInput(): GradeInput;
  rngFingerprint(): RngFingerprint | null;
  readonly hasEpisode: boolean;
  readonly done: boolean;
  readonly task: TaskSpec | null;
  readonly seed: number | null;
  lastSelection: SelectionDetail | null;
}

export interface MakeEnvOptions {
  recordSelections?: boolean;
  /** Curation: every selection through the strategy library (the same picks; see CurationEnv). */
  libraryPath?: boolean;
}

/** The environment class for a family. */
export function makeFamilyEnv(family: TaskFamilyId, options: MakeEnvOptions = {}): TaskEnv {
  if (family === 'dataset') return new DatasetEnv(options);
  return family === 'curation' ? new CurationEnv(options) : new DataSelectEnv(options);
}

/**
 * A fresh environment for `taskId` (default task when null/undefined). Throws the located
 * `invalid_task` error, listing every valid id, for an unknown one. It still needs `reset`.
 */
export function makeEnv(taskId?: string | null, options: MakeEnvOptions = {}): TaskEnv {
  const id = taskId ?? DEFAULT_TASK;
  const task = getTask(id);
  if (!task) throw unknownTask(id, TASK_IDS);
  return makeFamilyEnv(task.family, options);
}

/** The family of a task id, or null when the id is unknown. */
export function familyOfTaskId(taskId: string): TaskFamilyId | null {
  return getTask(taskId)?.family ?? null;
}
