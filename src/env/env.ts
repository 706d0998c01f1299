/**
 * DataSelectEnv: a plain, synchronous environment with a Gymnasium-style API. Each instance runs
 * one episode at a time with its own random generator and data; nothing is global except the
 * read-only world (data set, warmed-up model) and transient scratch buffers that never outlive a
 * call. Interleaved instances therefore give exactly the numbers of isolated ones (D9).
 *
 * Arithmetic follows docs/numerics.md §7 operation by operation; the control flow around it is the
 * original's step (its stages are labelled S0–S20 in the comments below) with deviations D1–D5
 * applied (docs/behaviour.md).
 */
import { RandomState } from '../numerics/random-state.ts';
import { logLoss, performanceFromLogLoss } from '../numerics/metrics.ts';
import { PySet } from '../numerics/py-set.ts';
import { stdFlat } from '../numerics/reductions.ts';
import { SgdLogistic } from '../numerics/sgd.ts';
import { classicSplit, effectiveBatch } from './actions.ts';
import { EpisodeEnv, resolveReset, stepResult, threeWayDetail, type ResetOptions } from './episode-env.ts';
import { EnvError } from './errors.ts';
import { grade } from './grader.ts';
import { SAMPLING, pickDiversity, pickUncertainty, randomPick, scorePool, squaredDistances, type PoolView } from './samplers.ts';
import { batchGeometry, noiseTrapBoost, selectionReward, selectionTerms, stopReward } from './reward.ts';
import { CLASSIC_STRATEGIES } from './strategies/names.ts';
import { DEFAULT_TASK, type ClassicTaskSpec } from './tasks.ts';
import type {
  Action,
  Grade,
  GradeInput,
  Observation,
  ResetResult,
  StepResult,
} from './types.ts';
import { getWorld, type World } from './world.ts';
import { getSeedStage, putSeedStage } from './seed-cache.ts';

export { REWARD } from './reward.ts';
export { SAMPLING } from './samplers.ts';

export type { ResetOptions } from './episode-env.ts';

export interface EnvOptions {
  /** Keep the samplers' picks of the last step (`lastSelection`), for diagnostics and replay. */
  recordSelections?: boolean;
}

/**
 * Transient buffers shared by every environment of a process. A step is synchronous, so no two
 * steps ever use them at once; they grow on demand and hold nothing between calls.
 */
class Scratch {
  score = new Float64Array(0);
  decision = new Float64Array(0);
  negSquaredDistance = new Float64Array(0);
  group = new Uint8Array(0);
  flags = new Uint8Array(0);
  candidates = new Int32Array(0);
  permutation = new Int32Array(0);
  picksU = new Int32Array(0);
  picksD = new Int32Array(0);
  picksR = new Int32Array(0);
  topScore = new Float64Array(0);
  order = new Int32Array(0);
  batchRows = new Int32Array(0);
  batchLabels = new Uint8Array(0);
  batchValues = new Float64Array(0);
  validationP1 = new Float64Array(0);
  validationLoss = new Float64Array(0);
  squares = new Float64Array(0);
  stdSquares = new Float64Array(0);
  centroidUnit = new Float64Array(0);
  batchMean = new Float64Array(0);
  private noise = new Float64Array(0);
  readonly set = new PySet();
  readonly limits = new Float64Array(2);

  /** A zeroed buffer of n values for the noisy-row jitter. */
  noisyJitter(n: number): Float64Array {
    if (this.noise.length < n) this.noise = new Float64Array(n);
    this.noise.fill(0, 0, n);
    return this.noise;
  }

  ensure(pool: number, validation: number, features: number, trainValues: number): void {
    if (this.score.length < pool) {
      this.score = new Float64Array(pool);
      this.decision = new Float64Array(pool);
      this.negSquaredDistance = new Float64Array(pool);
      this.group = new Uint8Array(pool);
      this.flags = new Uint8Array(pool);
      this.candidates = new Int32Array(pool);
      this.permutation = new Int32Array(pool);
      this.picksU = new Int32Array(pool);
      this.picksD = new Int32Array(pool);
      this.picksR = new Int32Array(pool);
      this.topScore = new Float64Array(pool);
      this.order = new Int32Array(pool);
      this.batchRows = new Int32Array(pool);
      this.batchLabels = new Uint8Array(pool);
      this.batchValues = new Float64Array(pool);
    }
    if (this.validationP1.length < validation) {
      this.validationP1 = new Float64Array(validation);
      this.validationLoss = new Float64Array(validation);
    }
    if (this.squares.length < features) {
      this.squares = new Float64Array(features);
      this.centroidUnit = new Float64Array(features);
      this.batchMean = new Float64Array(features);
    }
    if (this.stdSquares.length < trainValues) this.stdSquares = new Float64Array(trainValues);
  }
}
const scratch = new Scratch();

/** One episode's mutable state. */
interface Episode {
  task: ClassicTaskSpec;
  seed: number;
  world: World;
  rng: RandomState;
  /** Jittered pool features (row-major, all rows ever in the pool), labels after flips, noise mask. */
  poolX: Float64Array;
  poolY: Uint8Array;
  poolNoisy: Uint8Array;
  /** live[p] = row (in poolX) at current pool position p, for p < poolSize. */
  live: Int32Array;
  poolSize: number;
  noisyInPool: number;
  model: SgdLogistic;
  /** Training matrix: seed rows then every selected row; allocated on the first selection. */
  train: Float64Array | null;
  trainRows: number;
  centroid: Float64Array;
  performance: number;
  diversity: number;
  budget: number;
  steps: number;
  terminated: boolean;
  truncated: boolean;
  noiseRatios: number[];
}

export class DataSelectEnv extends EpisodeEnv<ClassicTaskSpec, Episode, Observation> {
  private readonly recordSelections: boolean;

  constructor(options: EnvOptions = {}) {
    super();
    this.recordSelections = options.recordSelections ?? false;
  }

  /** Starts a new episode (docs/numerics.md §7). Throws `EnvError` for an unknown task or bad seed. */
  reset(options: ResetOptions = {}): ResetResult {
    const { task, seed } = resolveReset<ClassicTaskSpec>(options, DEFAULT_TASK, 'classic', 'DataSelectEnv');
    const world = getWorld(task.data);
    const F = world.nFeatures;
    const P = world.poolSize;
    // Reuse the previous episode's buffers when the world is the same (no 180 kB churn per reset).
    const prev = this.episode && this.episode.world === world ? this.episode : null;
    const poolX = prev ? prev.poolX : new Float64Array(P * F);
    const poolY = prev ? prev.poolY : new Uint8Array(P);
    const poolNoisy = prev ? prev.poolNoisy : new Uint8Array(P);
    const live = prev ? prev.live : new Int32Array(P);
    const model = prev ? prev.model : new SgdLogistic(F);
    const centroid = prev ? prev.centroid : new Float64Array(F);

    // Pool = scaled pool rows + N(0, σ) jitter (row-major), then the mask's uniforms: the same
    // draws for every task of this seed, so they may come from the seed cache.
    const stageKey = `${seed}/${task.data.poolJitter}`;
    const stage = getSeedStage(world, stageKey);
    let rng: RandomState;
    let uniforms: Float64Array;
    if (stage) {
      rng = stage.rngAfter.clone();
      uniforms = stage.uniforms;
      poolX.set(stage.pool);
    } else {
      rng = RandomState.fromSeed(seed);
      poolX.set(world.X.subarray(world.poolStart * F, (world.poolStart + P) * F));
      rng.addNormalInto(poolX, 0, P * F, 0, task.data.poolJitter);
      uniforms = rng.rand(P);
      putSeedStage(world, stageKey, (old) => {
        const pool = old && old.pool.length === poolX.length ? old.pool : new Float64Array(poolX.length);
        pool.set(poolX);
        return { pool, uniforms, rngAfter: rng.clone() };
      });
    }

    // Noise mask (strict <) and guaranteed flips.
    poolY.set(world.y.subarray(world.poolStart, world.poolStart + P));
    let noisy = 0;
    for (let i = 0; i < P; i++) {
      const flipped = uniforms[i] < task.flipY;
      poolNoisy[i] = flipped ? 1 : 0;
      if (flipped) {
        poolY[i] = 1 - poolY[i];
        noisy++;
      }
    }
    // Extra jitter on the noisy rows: one normal(0, σ, (K, F)) draw, the k-th row to the k-th
    // noisy pool row in index order. (0 + x) + pool = pool + x for these values, so drawing into a
    // zeroed buffer first is exact.
    scratch.ensure(P, 0, F, 0);
    const noise = scratch.noisyJitter(noisy * F);
    rng.addNormalInto(noise, 0, noisy * F, 0, task.data.noisyJitter);
    for (let i = 0, k = 0; i < P; i++) {
      if (poolNoisy[i] === 0) continue;
      const base = i * F;
      const src = k * F;
      for (let j = 0; j < F; j++) poolX[base + j] = poolX[base + j] + noise[src + j];
      k++;
    }

    for (let i = 0; i < P; i++) live[i] = i;
    model.copyFrom(world.warmModel);
    centroid.set(world.seedCentroid);

    this.episode = {
      task,
      seed,
      world,
      rng,
      poolX,
      poolY,
      poolNoisy,
      live,
      poolSize: P,
      noisyInPool: noisy,
      model,
      train: prev && prev.train && prev.train.length >= (world.seedRows.length + task.budget) * F ? prev.train : null,
      trainRows: world.seedRows.length,
      centroid,
      performance: world.initialPerformance,
      diversity: world.initialDiversity,
      budget: task.budget,
      steps: 0,
      terminated: false,
      truncated: false,
      noiseRatios: [],
    };
    this.lastSelection = null;
    return { observation: this.observation(), info: { task_id: task.id, seed } };
  }

  /** Before a reset too, an action may weight only the original three. */
  protected override allowedStrategies(): readonly string[] {
    return CLASSIC_STRATEGIES;
  }

  /** D1: a stop always ends the episode; nothing is sampled, trained or charged. */
  protected stop(ep: Episode): StepResult {
    ep.steps += 1;
    const reward = stopReward(ep.performance, ep.task.stopThreshold, ep.budget);
    ep.terminated = true;
    this.lastSelection = null;
    return stepResult(this.observation(), reward, ep, {}, { stop_reward: reward });
  }

  protected select(ep: Episode, action: Action): StepResult {
    const { task, world, rng } = ep;
    const F = world.nFeatures;
    const P = ep.poolSize;
    const nVal = world.validationRows.length;
    const maxTrainRows = world.seedRows.length + task.budget;
    scratch.ensure(world.poolSize, nVal, F, maxTrainRows * F);
    const s = scratch;

    // S5 (D3): effective batch, never more than the budget left or the pool; S3, S9: the weights
    // over their sum + 1e-8, truncated counts, random the remainder (src/env/actions.ts).
    const b = effectiveBatch(action.batch_size, { minBatch: task.minBatch, budget: ep.budget, pool: P });
    const { uncertainty: nU, diversity: nD, random: nR } = classicSplit(b, action.strategy_weights);

    const excluded = s.flags;
    excluded.fill(0, 0, P);
    const live = ep.live;
    const poolX = ep.poolX;
    const pool: PoolView = { X: poolX, live, size: P, nFeatures: F, noisy: ep.poolNoisy };

    // S6–S10: uncertainty, then diversity among the rest, then random among what is left.
    let countU = 0;
    if (nU > 0) {
      scorePool(pool, ep.model, ep.centroid, nD > 0, s);
      countU = pickUncertainty(P, nU, noiseTrapBoost(task.flipY), excluded, s, s.picksU);
      for (let i = 0; i < countU; i++) excluded[s.picksU[i]] = 1;
    }
    let countD = 0;
    if (nD > 0) {
      if (nU === 0) squaredDistances(pool, ep.centroid, s.negSquaredDistance);
      countD = pickDiversity(pool, ep.centroid, nD, excluded, s, s.picksD);
      for (let i = 0; i < countD; i++) excluded[s.picksD[i]] = 1;
    }
    let countR = 0;
    if (nR > 0) {
      countR = randomPick(rng, P, nR, excluded, s.candidates, s.permutation, s.picksR);
      for (let i = 0; i < countR; i++) excluded[s.picksR[i]] = 1;
    }

    // S11: training order = CPython set iteration order of the picks.
    const set = s.set;
    set.clear();
    set.update(s.picksU, countU);
    set.update(s.picksD, countD);
    set.update(s.picksR, countR);
    const n = set.listInto(s.order);

    if (this.recordSelections) {
      const picks = { uncertainty: s.picksU.subarray(0, countU), diversity: s.picksD.subarray(0, countD), random: s.picksR.subarray(0, countR) };
      this.lastSelection = threeWayDetail(P, action.batch_size, b, { uncertainty: nU, diversity: nD, random: nR }, picks, s.order.subarray(0, n));
    }

    // S12: the batch (rows of poolX in training order), its labels and noise ratio.
    let noisyPicked = 0;
    for (let r = 0; r < n; r++) {
      const row = live[s.order[r]];
      s.batchRows[r] = row;
      s.batchLabels[r] = ep.poolY[row];
      noisyPicked += ep.poolNoisy[row];
    }
    const noiseRatio = noisyPicked / n;

    // S13: remove the picks; survivors keep their order.
    let kept = 0;
    for (let p = 0; p < P; p++) if (excluded[p] === 0) live[kept++] = live[p];
    ep.poolSize = kept;
    ep.noisyInPool -= noisyPicked;

    // S14–S15: train, then score on the validation rows.
    for (let c = 0; c < task.data.trainCallsPerStep; c++) ep.model.partialFit(poolX, s.batchRows, s.batchLabels, n);
    const oldPerformance = ep.performance;
    ep.model.predictProba1Into(world.X, world.validationRows, nVal, s.validationP1);
    const newPerformance = performanceFromLogLoss(logLoss(world.validationLabels, s.validationP1, nVal, s.validationLoss));

    // S16: reward, term by term, with the centroid from before this step.
    const c = ep.centroid;
    const geometry = batchGeometry(poolX, s.batchRows, n, c, F, { values: s.batchValues, squares: s.squares, unit: s.centroidUnit });
    const terms = selectionTerms({ oldPerformance, newPerformance, geometry, effectiveBatch: b, noiseRatio, flipY: task.flipY });
    const reward = selectionReward(terms);

    // S17: centroid EMA with the batch's column mean, training matrix grows, counters move.
    const mean = s.batchMean;
    mean.fill(0, 0, F);
    for (let r = 0; r < n; r++) {
      const base = s.batchRows[r] * F;
      for (let j = 0; j < F; j++) mean[j] += poolX[base + j];
    }
    for (let j = 0; j < F; j++) c[j] = SAMPLING.centroidDecay * c[j] + SAMPLING.centroidRate * (mean[j] / n);

    let train = ep.train;
    if (!train) {
      train = new Float64Array(maxTrainRows * F);
      ep.train = train;
    }
    if (ep.trainRows === world.seedRows.length) train.set(world.seedMatrix);
    for (let r = 0; r < n; r++) {
      const src = s.batchRows[r] * F;
      const dst = (ep.trainRows + r) * F;
      for (let j = 0; j < F; j++) train[dst + j] = poolX[src + j];
    }
    ep.trainRows += n;
    ep.diversity = stdFlat(train, ep.trainRows * F, s.stdSquares);
    ep.performance = newPerformance;
    ep.budget -= b;
    ep.steps += 1;
    ep.noiseRatios.push(noiseRatio);

    // S19: terminated (budget spent or pool emptied) wins over truncated (max_steps).
    ep.terminated = ep.budget <= 0 || ep.poolSize === 0;
    ep.truncated = !ep.terminated && ep.steps >= task.maxSteps;

    return stepResult(this.observation(), reward, ep, { gain: terms.gain, redundancy: geometry.redundancy, noise_ratio: noiseRatio, terms }, terms);
  }

  protected observation(): Observation {
    const ep = this.episode!;
    return {
      remaining_budget: ep.budget,
      diversity_score: ep.diversity,
      noise_estimate: ep.poolSize === 0 ? 0 : ep.noisyInPool / ep.poolSize,
      current_performance: ep.performance,
      samples_available: ep.poolSize,
    };
  }


  /** What the grader needs (only meaningful once the episode is done). */
  gradeInput(): GradeInput {
    const ep = this.current();
    return { task_id: ep.task.id, final_observation: this.observation(), noise_ratios: ep.noiseRatios.slice(), grade_data: null };
  }

  /** Grades the finished episode with its task's grader. */
  grade(): Grade {
    const ep = this.current();
    if (!(ep.terminated || ep.truncated)) {
      throw new EnvError('episode_not_finished', 'The episode is not finished yet.');
    }
    return grade(ep.task, this.gradeInput());
  }

}
