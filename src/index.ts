/** Library entry point: the environment, its contract, tasks, graders and schemas. */
export { DataSelectEnv, REWARD, SAMPLING, type EnvOptions, type ResetOptions } from './env/env.ts';
export type * from './env/types.ts';
export { STRATEGIES, ACTION_TYPES, isCurationObservation } from './env/types.ts';
export { CurationEnv, type CurationEnvOptions, type CurationResetOptions } from './env/curation/env.ts';
export { makeEnv, makeFamilyEnv, type TaskEnv, type MakeEnvOptions } from './env/make.ts';
export { CURATION_ANCHORS, type Anchor } from './env/curation/anchors.ts';
export { CurationObservationSchema } from './env/curation/observation.ts';
export { EnvError, ENV_REASONS, type EnvReason, type ValidationIssue } from './env/errors.ts';
/** The wire vocabulary of errors (every transport's `code` and `reason`). */
export type { ErrorCode, ErrorReason } from './protocol/wire.ts';
export {
  TASKS,
  TASK_IDS,
  CLASSIC_TASK_IDS,
  CURATION_TASK_IDS,
  DEFAULT_TASK,
  DEFAULT_SEED,
  getTask,
  describeTask,
  successCriteria,
  scoringRule,
  type TaskSpec,
  type ClassicTaskSpec,
  type CurationTaskSpec,
  type TaskFamilyId,
  type GraderRule,
  type DataSpec,
} from './env/tasks.ts';
export { grade } from './env/grader.ts';
export { effectiveBatch, classicSplit, splitBatch, strategySplit as splitBatchByStrategy, WEIGHT_EPSILON, type BatchSplit, type BatchLimits } from './env/actions.ts';
export { runBaseline, runBaselineTask, BALANCED_ACTION, type BaselineReport } from './env/baseline.ts';
export { parseAction, parseSeed } from './env/schemas.ts';
export {
  ALL_STRATEGIES,
  CLASSIC_STRATEGIES,
  LIBRARY_STRATEGIES,
  getStrategy,
  strategyInfos,
  isStrategyName,
  type StrategyName,
  type StrategyContext,
  type StrategyCache,
  type StrategyFn,
  type StrategyInfo,
  type ModelFactory,
  type ProbabilisticModel,
} from './env/strategies/index.ts';
export { RUN_ORDER } from './env/strategies/names.ts';
export { runSelection, type SelectionPicks } from './env/strategies/select.ts';
export { SoftmaxSgd, type SoftmaxSgdOptions } from './numerics/softmax-sgd.ts';
export { BinaryLogisticModel } from './numerics/binary-model.ts';
export { ActionSchema, StateSchema, MAX_SEED } from './env/spaces.ts';
export { FAMILIES, CLASSIC_OBSERVATION, observationSchema, observationSchemaOf, type TaskFamily } from './env/tasks.ts';
/** The observation schema over every family (what /schema serves). */
export { ObservationSchema } from './protocol/wire.ts';
/** N environments of one task stepped together, Gymnasium ≥ 1.0 semantics (docs/vector.md). */
export {
  VectorEnv,
  makeVectorEnv,
  AUTORESET_MODES,
  numericObservationFields,
  packObservations,
  type AutoresetMode,
  type VectorEnvOptions,
  type VectorResetOptions,
  type VectorResetResult,
  type VectorStepResult,
  type VectorStepInfo,
  type VectorResetInfo,
  type VectorFinalInfo,
  type VectorObservations,
} from './env/vector.ts';
export {
  checkVectorEnv,
  formatVectorCheckReport,
  VECTOR_CHECK_RULES,
  type CheckableVectorEnv,
  type VectorCheckOptions,
  type VectorCheckReport,
  type VectorCheckRule,
  type VectorCheckFailure,
} from './env/vector-checker.ts';
