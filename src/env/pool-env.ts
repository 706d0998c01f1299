/**
 * What the curation and data-set families' environments share (docs/curation.md,
 * docs/datasets.md): a labelled set grown by purchases from a pool, a model refitted from scratch
 * after each one, a reward scaled from the validation gain, a learning curve on the hidden test
 * set that stays inside the episode until the grade, and the same observation apart from the
 * family's own fields. Each family keeps its data, its model, its selection and its statistics.
 */
import { EpisodeEnv, resolveReset, stepResult, type EpisodeCore, type ResetOptions } from './episode-env.ts';
import { EnvError } from './errors.ts';
import { aubc } from './metrics/aubc.ts';
import type { CurationTaskSpec, DatasetTaskSpec } from './tasks.ts';
import type { Grade, GradeInput, PoolGradeData, PoolObservation, ResetResult, StepInfo, StepResult } from './types.ts';

/** The fields of a pool family's episode that the shared steps read and write. */
export interface PoolEpisode<Task extends CurationTaskSpec | DatasetTaskSpec, Regime extends string, Batch> extends EpisodeCore<Task> {
  /** Only `hidden.regime` is read here (by the grade). */
  data: { hidden: { regime: Regime } };
  /** live[q] = pool index at pool position q, for q < poolSize. */
  live: Int32Array;
  /** Labelled rows and their labels, seed set first, then purchases in order. */
  labelledRows: Int32Array;
  labelledLabels: Uint8Array;
  labelled: number;
  validationAccuracy: number;
  diversity: number;
  poolUncertainty: number;
  disagreements: number;
  expectedDisagreements: number;
  bought: number;
  lastBatch: Batch | null;
  /** Hidden until the grade: labels bought and test accuracy after reset and after each selection. */
  curveBudget: number[];
  curveAccuracy: number[];
  gradeData: PoolGradeData<Regime> | null;
}

/** The learning curve's next point (reporting only; never part of an observation or reward). */
export function recordCurve(ep: PoolEpisode<CurationTaskSpec | DatasetTaskSpec, string, unknown>, testAccuracy: number): void {
  ep.curveBudget.push(ep.task.budget - ep.budget);
  ep.curveAccuracy.push(testAccuracy);
}

/**
 * Population std of every labelled feature value (labelled order, row-major, plain sums) over the
 * `F` features of `X`'s rows. The plain sum continues over the rows labelled since the last call
 * (`valueSum` over the first `valueRows`; rows only join at the end), so it is the same number as
 * summing all of them again.
 */
export function labelledSpread(ep: { labelledRows: Int32Array; labelled: number; valueSum: number; valueRows: number }, X: Float64Array, F: number): number {
  const n = ep.labelled * F;
  let sum = ep.valueSum;
  for (let i = ep.valueRows; i < ep.labelled; i++) {
    const base = ep.labelledRows[i] * F;
    for (let j = 0; j < F; j++) sum += X[base + j];
  }
  ep.valueSum = sum;
  ep.valueRows = ep.labelled;
  const m = sum / n;
  let sq = 0;
  for (let i = 0; i < ep.labelled; i++) {
    const base = ep.labelledRows[i] * F;
    for (let j = 0; j < F; j++) {
      const dv = X[base + j] - m;
      sq += dv * dv;
    }
  }
  return Math.sqrt(sq / n);
}

/** The model's accuracy on the hidden test set (the learning curve and the grade; never observed). */
export function hiddenTestAccuracy(
  model: { countCorrect(X: Float64Array, labels: Uint8Array, n: number, immutableX: boolean): number },
  hidden: { testX: Float64Array; testY: Uint8Array },
): number {
  return model.countCorrect(hidden.testX, hidden.testY, hidden.testY.length, true) / hidden.testY.length;
}

/** A new episode's running figures, flags and hidden records (both families start them alike). */
export function freshPoolCounters(budget: number) {
  return {
    valueSum: 0,
    valueRows: 0,
    performance: 0,
    validationAccuracy: 0,
    diversity: 0,
    poolUncertainty: 0,
    budget,
    steps: 0,
    disagreements: 0,
    expectedDisagreements: 0,
    bought: 0,
    lastBatch: null,
    curveBudget: [] as number[],
    curveAccuracy: [] as number[],
    terminated: false,
    truncated: false,
    gradeData: null,
  };
}

/** The pool positions not flagged in `taken` keep their order; returns the new pool size. */
export function removePicks(live: Int32Array, size: number, taken: Uint8Array): number {
  let kept = 0;
  for (let q = 0; q < size; q++) if (taken[q] === 0) live[kept++] = live[q];
  return kept;
}

export abstract class PoolEnv<
  Task extends CurationTaskSpec | DatasetTaskSpec,
  Regime extends string,
  Batch,
  Episode extends PoolEpisode<Task, Regime, Batch>,
  Observation extends PoolObservation<Batch>,
> extends EpisodeEnv<Task, Episode, Observation> {
  protected readonly recordSelections: boolean;

  constructor(recordSelections: boolean) {
    super();
    this.recordSelections = recordSelections;
  }

  /** The family's registry name, its default task and the class name its refusals give. */
  protected abstract readonly family: Task['family'];
  protected abstract readonly defaultTask: string;
  protected abstract readonly envClass: string;
  /** reward = rewardScale × (performance after − before). */
  protected abstract readonly rewardScale: number;
  /** A new episode: the seed set, the full pool, the first fit and the curve's first point. */
  protected abstract startEpisode(task: Task, seed: number): Episode;
  /** A fresh fit on the labelled set, then performance, validation accuracy, pool probabilities, uncertainty and spread. */
  protected abstract refit(ep: Episode): void;
  /** The current model's accuracy on the hidden test set. */
  protected abstract testAccuracy(ep: Episode): number;
  /** The family's observation fields between `labelled` and `pool_uncertainty` (none for curation). */
  protected abstract familyFields(ep: Episode): object;
  /** A copy of the last batch's statistics for an observation (the episode keeps its own). */
  protected abstract copyBatch(batch: Batch): Batch;
  protected abstract gradeOf(task: Task, data: PoolGradeData<Regime>): Grade;

  reset(options: ResetOptions = {}): ResetResult {
    const { task, seed } = resolveReset<Task>(options, this.defaultTask, this.family, this.envClass);
    this.episode = this.startEpisode(task, seed);
    this.lastSelection = null;
    return { observation: this.observation(), info: { task_id: task.id, seed } };
  }

  protected stop(ep: Episode): StepResult {
    ep.steps += 1;
    ep.terminated = true;
    this.lastSelection = null;
    this.finishGrade(ep);
    return stepResult(this.observation(), 0, ep, {}, { stop_reward: 0 });
  }

  /**
   * After the picks were bought (flagged in `taken`, pool positions before the step): they leave
   * the pool, the model is refitted, the budget and the step move, the curve gets its point, and
   * an episode that ends is graded.
   */
  protected finishSelection(ep: Episode, b: number, taken: Uint8Array, info: StepInfo): StepResult {
    ep.poolSize = removePicks(ep.live, ep.poolSize, taken);
    const oldPerformance = ep.performance;
    this.refit(ep);
    const reward = this.rewardScale * (ep.performance - oldPerformance);
    ep.budget -= b;
    ep.steps += 1;
    recordCurve(ep, this.testAccuracy(ep));
    ep.terminated = ep.budget <= 0 || ep.poolSize === 0;
    ep.truncated = !ep.terminated && ep.steps >= ep.task.maxSteps;
    if (ep.terminated || ep.truncated) this.finishGrade(ep);
    return stepResult(this.observation(), reward, ep, info, { validation_gain: reward });
  }

  /** The final model's test accuracy (the curve's last point: the model has not changed since), the AUBC and the curve. */
  private finishGrade(ep: Episode): void {
    ep.gradeData = {
      test_accuracy: ep.curveAccuracy[ep.curveAccuracy.length - 1],
      regime: ep.data.hidden.regime,
      aubc: aubc(ep.curveBudget, ep.curveAccuracy, ep.task.budget),
      curve: { budget_used: ep.curveBudget.slice(), test_accuracy: ep.curveAccuracy.slice() },
    };
  }

  protected observation(): Observation {
    const ep = this.episode!;
    return {
      remaining_budget: ep.budget,
      samples_available: ep.poolSize,
      current_performance: ep.performance,
      noise_estimate: ep.bought === 0 ? 0 : Math.max(0, (ep.disagreements - ep.expectedDisagreements) / ep.bought),
      diversity_score: ep.diversity,
      validation_accuracy: ep.validationAccuracy,
      step: ep.steps,
      steps_left: ep.task.maxSteps - ep.steps,
      labelled: ep.labelled,
      ...this.familyFields(ep),
      pool_uncertainty: ep.poolUncertainty,
      last_batch: ep.lastBatch === null ? null : this.copyBatch(ep.lastBatch),
    } as Observation;
  }

  gradeInput(): GradeInput {
    const ep = this.current();
    return { task_id: ep.task.id, final_observation: this.observation(), noise_ratios: [], grade_data: ep.gradeData as GradeInput['grade_data'] };
  }

  grade(): Grade {
    const ep = this.current();
    if (!ep.gradeData) throw new EnvError('episode_not_finished', 'The episode is not finished yet.');
    return this.gradeOf(ep.task, ep.gradeData);
  }
}
