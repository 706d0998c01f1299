/**
 * The task registry: the single source of every task's numbers, for both task families — the
 * classic tasks of the original (`easy`, `medium`, `hard`, kept bit-exact) and the curation family
 * (docs/curation.md). The graders, the `/tasks` texts, the manifest, the agent's prompt and the docs
 * all read these entries (D6), so a description can never disagree with the rule that grades it.
 * Each family names its observation schema here too. Adding a task is adding one entry here;
 * adding a task family (its own data, rules and observation) is adding one entry to FAMILIES,
 * its environment class to make.ts, and its tasks.
 */
import Type, { type TSchema } from 'typebox';
import { CURATION_ANCHORS, type Anchor } from './curation/anchors.ts';
import { CurationObservationSchema } from './curation/observation.ts';
import { CURATION } from './curation/params.ts';
import { DATASET_ANCHORS, type DatasetAnchor } from './datasets/anchors.ts';
import type { DatasetRegime, SplitSpec } from './datasets/params.ts';
import { DatasetObservationSchema } from './datasets/observation.ts';
import { BUILTIN_DATASETS } from './datasets/builtin.ts';
import { ALL_STRATEGIES, CLASSIC_STRATEGIES, type StrategyName } from './strategies/names.ts';

/** The fixed, seed-independent data set and model warm-up of a task family. */
export interface DataSpec {
  nSamples: number;
  nFeatures: number;
  nInformative: number;
  nRedundant: number;
  nClustersPerClass: number;
  /** make_classification's own label noise (untracked), unrelated to the task's injected noise. */
  baseFlipY: number;
  classSep: number;
  datasetSeed: number;
  /** Row ranges [start, end) of the scaled data set. */
  seedRows: readonly [number, number];
  validationRows: readonly [number, number];
  poolRows: readonly [number, number];
  /** σ of the gaussian jitter added to every pool row, then to the noisy rows. */
  poolJitter: number;
  noisyJitter: number;
  warmupCalls: number;
  trainCallsPerStep: number;
}

export const CLASSIC_DATA: DataSpec = Object.freeze({
  nSamples: 1500,
  nFeatures: 20,
  nInformative: 5,
  nRedundant: 5,
  nClustersPerClass: 2,
  baseFlipY: 0.1,
  classSep: 1.0,
  datasetSeed: 42,
  seedRows: [0, 100] as const,
  validationRows: [200, 400] as const,
  poolRows: [400, 1500] as const,
  poolJitter: 0.5,
  noisyJitter: 0.1,
  warmupCalls: 10,
  trainCallsPerStep: 3,
});

export type GraderRule =
  | {
      kind: 'performance';
      /** Score = clip((perf − lo) / (hi − lo), 0, 1), not rounded (the original's quirk). */
      performanceRange: readonly [number, number];
      passPerformanceAbove: number;
    }
  | {
      kind: 'performance_noise';
      performanceRange: readonly [number, number];
      /** noise_score = clip(1 − avg_noise / noiseCeiling, 0, 1). */
      noiseCeiling: number;
      performanceWeight: number;
      noiseWeight: number;
      passPerformanceAbove: number;
      passNoiseBelow: number;
    }
  | {
      kind: 'performance_efficiency';
      performanceRange: readonly [number, number];
      performanceWeight: number;
      efficiencyWeight: number;
      passPerformanceAbove: number;
    };

export type TaskFamilyId = 'classic' | 'curation' | 'dataset';

/** A classic task (docs/behaviour.md): the original's rules, reproduced bit for bit. */
export interface ClassicTaskSpec {
  id: string;
  family: 'classic';
  difficulty: string;
  /** Fraction of pool rows whose label is flipped at reset (tracked by the hidden noise mask). */
  flipY: number;
  budget: number;
  maxSteps: number;
  minBatch: number;
  /** Performance needed for a positive stop reward. */
  stopThreshold: number;
  data: DataSpec;
  grader: GraderRule;
  /** The strategies an action may weight: exactly the original three (bit-exact). */
  strategies: readonly StrategyName[];
  /** One sentence on what the task tests, before the generated numbers. */
  summary: string;
}

/** A curation task (docs/curation.md): held-out grading normalised by per-regime anchors. */
export interface CurationTaskSpec {
  id: string;
  family: 'curation';
  difficulty: string;
  budget: number;
  maxSteps: number;
  minBatch: number;
  /** Seed-set size: half positive (rounded up), half negative, from the first 100 rows. */
  nSeed: number;
  /** Grade anchors of each (hidden) regime. */
  anchors: Readonly<Record<'clean' | 'defaulting', Anchor>>;
  /** passed = score ≥ this. */
  passScoreAtLeast: number;
  /** The strategies an action may weight (names from src/env/strategies/names.ts). */
  strategies: readonly StrategyName[];
  summary: string;
}

/** A data-set task (docs/datasets.md): a real labelled set, K classes, the strategy library. */
export interface DatasetTaskSpec {
  id: string;
  family: 'dataset';
  difficulty: string;
  /** The data set's id in the data-set registry (src/env/datasets/registry.ts). */
  dataset: string;
  nRows: number;
  nFeatures: number;
  nClasses: number;
  budget: number;
  maxSteps: number;
  minBatch: number;
  split: SplitSpec;
  /** The strategy names `strategy_weights` may use (the whole library). */
  strategies: readonly StrategyName[];
  anchors: Readonly<Record<DatasetRegime, DatasetAnchor>>;
  passScoreAtLeast: number;
  summary: string;
}

export type TaskSpec = ClassicTaskSpec | CurationTaskSpec | DatasetTaskSpec;

const DATASET_SUMMARY =
  "Real data: buy labels for a real data set from annotators whose reliability is hidden (they may be reliable, confuse one class with another, or answer one fixed class on hard items); graded on a held-out test set no observation touches.";

/** A data-set task entry (anchors from the shipped table; a user's set brings its own). */
export function datasetTask(
  o: Omit<DatasetTaskSpec, 'family' | 'strategies' | 'anchors' | 'passScoreAtLeast'> & { anchors?: DatasetTaskSpec['anchors'] },
): DatasetTaskSpec {
  return {
    id: o.id,
    family: 'dataset',
    difficulty: o.difficulty,
    dataset: o.dataset,
    nRows: o.nRows,
    nFeatures: o.nFeatures,
    nClasses: o.nClasses,
    budget: o.budget,
    maxSteps: o.maxSteps,
    minBatch: o.minBatch,
    split: Object.freeze({ ...o.split }),
    strategies: ALL_STRATEGIES,
    anchors: o.anchors ?? DATASET_ANCHORS[o.id],
    passScoreAtLeast: 0.5,
    summary: `${DATASET_SUMMARY} ${o.summary}`,
  };
}

/**
 * A shipped data set's task: its shape from the built-in list, a test share of 0.3 and the
 * number of seed rows per class and validation share given.
 */
function builtinTask(id: string, difficulty: string, budget: number, maxSteps: number, minBatch: number, split: Omit<SplitSpec, 'testFraction'>, summary: string): DatasetTaskSpec {
  const d = BUILTIN_DATASETS.find((b) => b.id === id)!;
  return datasetTask({
    id,
    dataset: id,
    nRows: d.nRows,
    nFeatures: d.nFeatures,
    nClasses: d.nClasses,
    difficulty,
    budget,
    maxSteps,
    minBatch,
    split: { ...split, testFraction: 0.3 },
    summary,
  });
}

const CURATION_SUMMARY =
  'Curation: buy labels from a pool whose annotators may be unreliable in ways only the bought labels reveal; graded on a held-out test set no observation touches.';

function curationTask(id: string, difficulty: string, nSeed: number, budget: number, maxSteps: number, summary: string): CurationTaskSpec {
  return {
    id,
    family: 'curation',
    difficulty,
    budget,
    maxSteps,
    minBatch: CURATION.minBatch,
    nSeed,
    anchors: CURATION_ANCHORS[id],
    passScoreAtLeast: 0.5,
    strategies: ALL_STRATEGIES,
    summary: `${CURATION_SUMMARY} ${summary}`,
  };
}

const TASK_LIST: readonly TaskSpec[] = [
  {
    id: 'easy',
    family: 'classic',
    difficulty: 'easy',
    flipY: 0.05,
    budget: 300,
    maxSteps: 15,
    minBatch: 5,
    stopThreshold: 0.6,
    data: CLASSIC_DATA,
    strategies: CLASSIC_STRATEGIES,
    grader: { kind: 'performance', performanceRange: [0.55, 0.75], passPerformanceAbove: 0.62 },
    summary: 'Little label noise and a large budget: any reasonable strategy should succeed.',
  },
  {
    id: 'medium',
    family: 'classic',
    difficulty: 'medium',
    flipY: 0.25,
    budget: 150,
    maxSteps: 12,
    minBatch: 5,
    stopThreshold: 0.57,
    data: CLASSIC_DATA,
    strategies: CLASSIC_STRATEGIES,
    grader: {
      kind: 'performance_noise',
      performanceRange: [0.42, 0.62],
      noiseCeiling: 0.5,
      performanceWeight: 0.6,
      noiseWeight: 0.4,
      passPerformanceAbove: 0.52,
      passNoiseBelow: 0.5,
    },
    summary:
      'Heavy label noise and a noise trap that inflates the entropy of mislabelled rows, so uncertainty-heavy strategies pick them.',
  },
  {
    id: 'hard',
    family: 'classic',
    difficulty: 'hard',
    flipY: 0.3,
    budget: 100,
    maxSteps: 8,
    minBatch: 5,
    stopThreshold: 0.62,
    data: CLASSIC_DATA,
    strategies: CLASSIC_STRATEGIES,
    grader: {
      kind: 'performance_efficiency',
      performanceRange: [0.5, 0.72],
      performanceWeight: 0.65,
      efficiencyWeight: 0.35,
      passPerformanceAbove: 0.58,
    },
    summary: 'Heavy label noise, a tight budget and few steps: performance and budget efficiency are scored jointly.',
  },
  curationTask('curation-easy', 'easy', 16, 200, 20, 'The most seed rows and steps: room to find out what the annotators do.'),
  curationTask('curation-medium', 'medium', 12, 120, 12, 'Fewer seed rows, budget and steps.'),
  curationTask('curation-hard', 'hard', 8, 80, 8, 'The fewest seed rows and steps: little room to find out what the annotators do.'),
  builtinTask('breast-cancer', 'binary', 60, 12, 5, { seedPerClass: 2, validationFraction: 0.15 }, 'Breast Cancer Wisconsin (Diagnostic): 569 tumours, 30 features, malignant or benign.'),
  builtinTask('iris', 'multiclass', 24, 8, 3, { seedPerClass: 1, validationFraction: 0.2 }, "Fisher's iris: 150 flowers, 4 measurements, 3 species; one labelled flower per species to start."),
  builtinTask('wine', 'multiclass', 30, 10, 3, { seedPerClass: 1, validationFraction: 0.2 }, 'Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars.'),
  builtinTask('digits', 'multiclass', 150, 15, 5, { seedPerClass: 1, validationFraction: 0.15 }, 'Handwritten digits: 1,797 images of 8×8 pixels (64 features), 10 classes.'),
];

/**
 * A task family: tasks that share a data generator, rules and an observation shape. Its
 * observation schema is what /schema, OpenAPI, MCP and the environment checker describe and
 * check for the family's tasks.
 */
export interface TaskFamily {
  id: TaskFamilyId;
  /** One sentence for /schema and the docs. */
  summary: string;
  observation: TSchema;
}

/** The classic observation: exactly these five keys (docs/protocol.md §2.1). */
export const CLASSIC_OBSERVATION = Type.Object(
  {
    remaining_budget: Type.Integer({ description: 'Budget left (never negative).' }),
    diversity_score: Type.Number({ description: 'Population std of every entry of the training matrix.' }),
    noise_estimate: Type.Number({ description: 'Fraction of injected-noise rows still in the pool.' }),
    current_performance: Type.Number({ description: '1 / (1 + validation log-loss), at least 0.05.' }),
    samples_available: Type.Integer({ description: 'Pool size.' }),
  },
  { additionalProperties: false, title: 'classic' },
);

const FAMILY_LIST: readonly TaskFamily[] = [
  {
    id: 'classic',
    summary: 'The original tasks easy, medium and hard (bit-exact with the Python original).',
    observation: CLASSIC_OBSERVATION,
  },
  {
    id: 'curation',
    summary:
      'The curation benchmark curation-easy, -medium, -hard: no stop bonus, grading on a held-out test set normalised by anchors, no observation computed from hidden truth.',
    observation: CurationObservationSchema,
  },
  {
    id: 'dataset',
    summary:
      'Real data sets (breast-cancer, iris, wine, digits, and a user\'s CSV): K classes, the strategy library, hidden annotator regimes, grading on a held-out test set normalised by anchors.',
    observation: DatasetObservationSchema,
  },
];

export const FAMILIES: ReadonlyMap<string, TaskFamily> = new Map(FAMILY_LIST.map((f) => [f.id, Object.freeze(f)]));

const TASK_MAP = new Map<string, TaskSpec>(TASK_LIST.map((t) => [t.id, Object.freeze(t)]));
const TASK_ID_LIST: string[] = TASK_LIST.map((t) => t.id);
export const TASKS: ReadonlyMap<string, TaskSpec> = TASK_MAP;
/** Every task id: the built-in ones, then any registered at start-up (a user's CSV). */
export const TASK_IDS: readonly string[] = TASK_ID_LIST;

/**
 * Adds a task at start-up (a user's CSV data set, `--dataset FILE`): before any environment is
 * made. Refuses an id already taken by a different entry; the same entry again is a no-op.
 */
export function registerTask(task: DatasetTaskSpec): void {
  const existing = TASK_MAP.get(task.id);
  if (existing) {
    if (JSON.stringify(existing) === JSON.stringify(task)) return;
    throw new Error(`task id '${task.id}' is already registered`);
  }
  TASK_MAP.set(task.id, Object.freeze(task));
  TASK_ID_LIST.push(task.id);
}
/** The original's three tasks (the `/baseline` report and the classic golden traces cover these). */
export const CLASSIC_TASK_IDS: readonly string[] = TASK_LIST.filter((t) => t.family === 'classic').map((t) => t.id);
export const CURATION_TASK_IDS: readonly string[] = TASK_LIST.filter((t) => t.family === 'curation').map((t) => t.id);
/** The built-in data-set tasks (a user's CSV task is added by registerTask). */
export const DATASET_TASK_IDS: readonly string[] = TASK_LIST.filter((t) => t.family === 'dataset').map((t) => t.id);
export const DEFAULT_TASK = 'easy';
export const DEFAULT_SEED = 42;

export function getTask(id: string): TaskSpec | undefined {
  return TASKS.get(id);
}

/** The observation schema of a task's family. */
export function observationSchemaOf(task: TaskSpec): TSchema {
  const family = FAMILIES.get(task.family);
  if (!family) throw new Error(`task '${task.id}' names unknown family '${task.family}'`);
  return family.observation;
}

/**
 * The observation schema over every family: the family's own schema when there is one family,
 * else `anyOf` the families' schemas (each titled by its family).
 */
export function observationSchema(): TSchema {
  const schemas = [...FAMILIES.values()].map((f) => f.observation);
  return schemas.length === 1 ? schemas[0] : Type.Union(schemas);
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Success criteria in words, generated from the grader rule. */
export function successCriteria(task: TaskSpec): string {
  if (task.family === 'curation' || task.family === 'dataset') {
    return `score ≥ ${task.passScoreAtLeast}, the final model's accuracy on the held-out test set normalised by the task's anchors`;
  }
  const g = task.grader;
  switch (g.kind) {
    case 'performance':
      return `current_performance > ${g.passPerformanceAbove} at episode end`;
    case 'performance_noise':
      return `current_performance > ${g.passPerformanceAbove} AND avg noise_ratio < ${g.passNoiseBelow}`;
    case 'performance_efficiency':
      return `current_performance > ${g.passPerformanceAbove}, scored jointly with budget efficiency`;
  }
}

/** How the score is computed, in words, generated from the grader rule. */
export function scoringRule(task: TaskSpec): string {
  if (task.family === 'dataset') {
    return (
      'score = clip(normalised, 0, 1), normalised = (test_accuracy − anchor_random) / max(anchor_reference − anchor_random, 0.01), ' +
      "where anchor_random is the mean test accuracy of random sampling and anchor_reference that of the better of two oracles that buy only correctly labelled rows, with the episode's kind of annotators; " +
      'the breakdown also reports the AUBC (area under the test-accuracy-vs-labels curve over the budget, in [0, 1])'
    );
  }
  if (task.family === 'curation') {
    return (
      'score = clip(normalised, 0, 1), normalised = (test_accuracy − anchor_random) / (anchor_reference − anchor_random), ' +
      'where anchor_random is the mean test accuracy of random sampling and anchor_reference that of an informed clean-label oracle on this kind of data source'
    );
  }
  const g = task.grader;
  const [lo, hi] = g.performanceRange;
  const perf = `performance_score = clip((performance − ${lo}) / (${hi} − ${lo}), 0, 1)`;
  switch (g.kind) {
    case 'performance':
      return `score = ${perf}`;
    case 'performance_noise':
      return `score = ${g.performanceWeight}·performance_score + ${g.noiseWeight}·noise_score, where ${perf} and noise_score = clip(1 − avg_noise_ratio / ${g.noiseCeiling}, 0, 1)`;
    case 'performance_efficiency':
      return `score = ${g.performanceWeight}·performance_score + ${g.efficiencyWeight}·efficiency, where ${perf} and efficiency = 1 − budget_used / ${task.budget}`;
  }
}

/** The `/tasks` description: the summary plus the task's real numbers. */
export function describeTask(task: TaskSpec): string {
  if (task.family === 'dataset') {
    const s = task.split;
    return (
      `${task.summary} ${task.nRows} rows, ${task.nFeatures} features, ${task.nClasses} classes; per seed a stratified split: ` +
      `${s.seedPerClass} labelled seed row(s) per class, ${Math.round(s.validationFraction * 100)}% validation, ${Math.round(s.testFraction * 100)}% held-out test, the rest the pool. ` +
      `budget=${task.budget}, max_steps=${task.maxSteps}, min_batch=${task.minBatch}. Strategies: ${task.strategies.join(', ')}. ` +
      `A softmax model is refitted from scratch on every labelled row after each purchase; reward = ${10}·Δcurrent_performance (validation), a stop pays 0. ` +
      `Passes when ${successCriteria(task)}; ${scoringRule(task)}.`
    );
  }
  if (task.family === 'curation') {
    return (
      `${task.summary} budget=${task.budget}, max_steps=${task.maxSteps}, min_batch=${task.minBatch}, seed set ${task.nSeed} labelled rows, ` +
      `pool ${CURATION.nPool} rows. The model is refitted from scratch on every labelled row after each purchase; ` +
      `reward = ${CURATION.rewardScale}·Δcurrent_performance (validation), a stop pays 0. ` +
      `Passes when ${successCriteria(task)}; ${scoringRule(task)}.`
    );
  }
  return (
    `${task.summary} Injected label noise flip_y=${task.flipY} (${pct(task.flipY)} of the pool), ` +
    `budget=${task.budget}, max_steps=${task.maxSteps}, min_batch=${task.minBatch}, ` +
    `stop pays 0.05 per unspent budget unit when performance ≥ ${task.stopThreshold}, else −1. ` +
    `Passes when ${successCriteria(task)}; ${scoringRule(task)}.`
  );
}
