/**
 * CurationEnv: the curation family's environment (docs/curation.md), a plain synchronous class
 * with a Gymnasium-style API and its own RandomState per episode, like DataSelectEnv.
 *
 * Hidden truth is kept apart by construction: everything an observation or reward is computed
 * from is in `CurationData` (features of the non-test rows, seed and validation labels, the label
 * a bought pool row returns); the regime, the pool's true labels, the low-quality and flip masks
 * and the test set are in `data.hidden`, which only `testAccuracy` (the learning curve) and the
 * grade's regime read.
 */
import { BinaryLogisticModel } from '../../numerics/binary-model.ts';
import { logLoss } from '../../numerics/metrics.ts';
import type { RandomState } from '../../numerics/random-state.ts';
import { SgdLogistic } from '../../numerics/sgd.ts';
import { effectiveBatch, strategySplit } from '../actions.ts';
import { threeWayDetail, type ResetOptions } from '../episode-env.ts';
import { freshPoolCounters, hiddenTestAccuracy, labelledSpread, PoolEnv, recordCurve, removePicks, type PoolEpisode } from '../pool-env.ts';
import { topK } from '../samplers.ts';
import { PoolStrategyCache } from '../strategies/cache.ts';
import { LIBRARY_STRATEGIES, RUN_ORDER, type LibraryStrategyName } from '../strategies/names.ts';
import { runSelection } from '../strategies/select.ts';
import type { StrategyContext } from '../strategies/types.ts';
import type { CurationTaskSpec } from '../tasks.ts';
import type {
  Action,
  CurationGradeData,
  CurationObservation,
  CurationSelectionInfo,
  Grade,
  LastBatch,
  StepResult,
  StrategyBatchStats,
} from '../types.ts';
import { getCurationData } from './data-cache.ts';
import type { CurationData } from './generate.ts';
import { curationGrade } from './grader.ts';
import { CURATION, SPLITS } from './params.ts';

const F = CURATION.nFeatures;
const N_POOL = CURATION.nPool;
const VAL_START = SPLITS.validation[0];
const N_VAL = CURATION.nValidation;
const POOL_START = SPLITS.pool[0];

/** The reset's task (default `curation-easy`) and seed (default 42). */
export type CurationResetOptions = ResetOptions;

export interface CurationEnvOptions {
  /** Keep the samplers' picks of the last step (`lastSelection`), for diagnostics and replay. */
  recordSelections?: boolean;
  /** Where a seed's data comes from (default: generated, through a small per-process cache). */
  dataSource?: (seed: number) => CurationData;
  /**
   * Run every selection through the strategy library (src/env/strategies/), even one weighting
   * only the original three (which otherwise take the family's own code path). The picks are the
   * same bit for bit; the tests use this to prove it.
   */
  libraryPath?: boolean;
}

/** Scratch shared by every curation environment of the process (steps are synchronous). */
const scratch = {
  score: new Float64Array(N_POOL),
  excluded: new Uint8Array(N_POOL),
  candidates: new Int32Array(N_POOL),
  permutation: new Int32Array(N_POOL),
  picksU: new Int32Array(N_POOL),
  picksD: new Int32Array(N_POOL),
  picksR: new Int32Array(N_POOL),
  topScore: new Float64Array(N_POOL),
  validationP1: new Float64Array(N_VAL),
  validationLoss: new Float64Array(N_VAL),
  centroid: new Float64Array(F),
  // The library path's context: the pool's probabilities (P × 2) and features (P × F), the
  // labelled rows' features, and the caches it passes to coreset and density.
  proba: new Float64Array(N_POOL * 2),
  poolX: new Float64Array(N_POOL * F),
  labelledX: new Float64Array(0),
};

/** The committee's members: the family's own model and recipe (η₀ 0.05, 10 epochs). */
const makeCurationModel = (d: number) => new BinaryLogisticModel(d, CURATION.eta0, CURATION.fitEpochs);

function usesLibrary(weights: Action['strategy_weights']): boolean {
  for (const name of LIBRARY_STRATEGIES) if ((weights[name] ?? 0) > 0) return true;
  return false;
}

interface Episode extends PoolEpisode<CurationTaskSpec, CurationGradeData['regime'], LastBatch> {
  data: CurationData;
  rng: RandomState;
  /** P(class 1) of each current pool position under the current model. */
  poolP: Float64Array;
  /** Running plain sums of each feature over the labelled rows (the diversity centroid). */
  featureSums: Float64Array;
  /** The plain sum of every feature value of the first `valueRows` labelled rows (labelled order, row-major). */
  valueSum: number;
  valueRows: number;
  /** coreset's and density's caches across the episode's steps (by pool index). */
  strategyCache: PoolStrategyCache;
  model: SgdLogistic;
}

export class CurationEnv extends PoolEnv<CurationTaskSpec, CurationGradeData['regime'], LastBatch, Episode, CurationObservation> {
  protected readonly family = 'curation';
  protected readonly defaultTask = 'curation-easy';
  protected readonly envClass = 'CurationEnv';
  protected readonly rewardScale = CURATION.rewardScale;
  private readonly dataSource: (seed: number) => CurationData;
  private readonly libraryPath: boolean;

  constructor(options: CurationEnvOptions = {}) {
    super(options.recordSelections ?? false);
    this.dataSource = options.dataSource ?? getCurationData;
    this.libraryPath = options.libraryPath ?? false;
  }

  protected startEpisode(task: CurationTaskSpec, seed: number): Episode {
    return startEpisode(task, seed, this.dataSource(seed), this.episode);
  }

  protected select(ep: Episode, action: Action): StepResult {
    const s = scratch;
    const P = ep.poolSize;
    const poolP = ep.poolP;

    // §4: effective batch and split (b·w first, then / tot; no epsilon), src/env/actions.ts; a
    // selection weighting a library strategy goes through src/env/strategies/ instead.
    const b = effectiveBatch(action.batch_size, { minBatch: ep.task.minBatch, budget: ep.budget, pool: P });
    if (this.libraryPath || usesLibrary(action.strategy_weights)) return this.finishSelection(ep, b, scratch.excluded, { batch_size: b, split: this.selectWithLibrary(ep, action, b) });
    const { uncertainty: nU, diversity: nD, random: nR } = strategySplit(b, action.strategy_weights);

    const excluded = s.excluded;
    excluded.fill(0, 0, P);
    let countU = 0;
    if (nU > 0) {
      // Smallest |p − 0.5| first = largest −|p − 0.5| (negation is exact: ties stay ties).
      for (let q = 0; q < P; q++) s.score[q] = -Math.abs(poolP[q] - 0.5);
      countU = topK(s.score, P, nU, excluded, s.picksU, s.topScore);
      for (let i = 0; i < countU; i++) excluded[s.picksU[i]] = 1;
    }
    let countD = 0;
    if (nD > 0) {
      centroidScores(ep, excluded);
      countD = topK(s.score, P, nD, excluded, s.picksD, s.topScore);
      for (let i = 0; i < countD; i++) excluded[s.picksD[i]] = 1;
    }
    let countR = 0;
    if (nR > 0) {
      let m = 0;
      for (let q = 0; q < P; q++) if (excluded[q] === 0) s.candidates[m++] = q;
      countR = Math.min(nR, m);
      if (countR > 0) ep.rng.choiceWithoutReplacementInto(s.candidates, m, countR, s.picksR, s.permutation);
      for (let i = 0; i < countR; i++) excluded[s.picksR[i]] = 1;
    }

    if (this.recordSelections) {
      const picks = { uncertainty: s.picksU.subarray(0, countU), diversity: s.picksD.subarray(0, countD), random: s.picksR.subarray(0, countR) };
      this.lastSelection = threeWayDetail(P, action.batch_size, b, { uncertainty: nU, diversity: nD, random: nR }, picks);
    }

    // Statistics with the model before it sees the labels; the picks join the labelled set in
    // batch order (uncertainty, diversity, random). E_k is each strategy's own plain sum.
    const tally = { disagreements: 0, expectedSum: 0 };
    const statsU = this.buy(ep, s.picksU, countU, tally);
    const eU = tally.expectedSum;
    const statsD = this.buy(ep, s.picksD, countD, tally);
    const eD = tally.expectedSum;
    const statsR = this.buy(ep, s.picksR, countR, tally);
    const eR = tally.expectedSum;
    const taken = countU + countD + countR;
    const eTotal = eU + eD + eR;
    ep.disagreements += tally.disagreements;
    ep.expectedDisagreements += eTotal;
    ep.bought += taken;
    ep.lastBatch = {
      uncertainty: statsU,
      diversity: statsD,
      random: statsR,
      total: { n: taken, disagree: tally.disagreements / taken, expected: eTotal / taken },
    };
    return this.finishSelection(ep, b, excluded, { batch_size: b, split: { uncertainty: countU, diversity: countD, random: countR } });
  }

  /**
   * A selection through the strategy library: the split over every weighted strategy
   * (`strategySplit`), the strategies in `RUN_ORDER` over one exclusion mask, the purchases and
   * their statistics in that order. Leaves the picks flagged in `scratch.excluded`.
   */
  private selectWithLibrary(ep: Episode, action: Action, b: number): CurationSelectionInfo['split'] {
    const s = scratch;
    const P = ep.poolSize;
    const w = action.strategy_weights;
    const counts = strategySplit(b, w);
    const ctx = this.libraryContext(ep, counts.coreset > 0, counts.density > 0);
    s.excluded.fill(0, 0, P);
    const sel = runSelection(ctx, counts, s.excluded);
    const none = new Int32Array(0);

    if (this.recordSelections) {
      const library: Partial<Record<LibraryStrategyName, number[]>> = {};
      for (const name of LIBRARY_STRATEGIES) if ((w[name] ?? 0) > 0) library[name] = Array.from(sel.picks[name] ?? none);
      const picks = { uncertainty: sel.picks.uncertainty ?? none, diversity: sel.picks.diversity ?? none, random: sel.picks.random ?? none };
      this.lastSelection = threeWayDetail(P, action.batch_size, b, counts, picks);
      if (Object.keys(library).length > 0) this.lastSelection.library_idx = library;
    }

    // Statistics with the model before the labels, purchases in run order; E is the plain sum of
    // the strategies' own sums in run order (the family's ((E_u + E_d) + E_r) for the three).
    const tally = { disagreements: 0, expectedSum: 0 };
    const stats: Partial<Record<string, StrategyBatchStats | null>> = {};
    let eTotal = 0;
    for (const name of RUN_ORDER) {
      const picks = sel.picks[name];
      const n = picks ? picks.length : 0;
      const st = this.buy(ep, picks ?? none, n, tally);
      eTotal += tally.expectedSum;
      stats[name] = st;
    }
    const taken = sel.total;
    ep.disagreements += tally.disagreements;
    ep.expectedDisagreements += eTotal;
    ep.bought += taken;
    // Keys: the original three, the weighted library strategies, then total (the family's order).
    const batch = { uncertainty: stats.uncertainty ?? null, diversity: stats.diversity ?? null, random: stats.random ?? null } as LastBatch;
    const split: CurationSelectionInfo['split'] = {
      uncertainty: sel.picks.uncertainty?.length ?? 0,
      diversity: sel.picks.diversity?.length ?? 0,
      random: sel.picks.random?.length ?? 0,
    };
    for (const name of LIBRARY_STRATEGIES) {
      if (!((w[name] ?? 0) > 0)) continue;
      batch[name] = stats[name] ?? null;
      split[name] = sel.picks[name]?.length ?? 0;
    }
    batch.total = { n: taken, disagree: tally.disagreements / taken, expected: eTotal / taken };
    ep.lastBatch = batch;
    return split;
  }

  /** The strategy context of the current pool (positions q < poolSize, in pool order). */
  private libraryContext(ep: Episode, withMinSq: boolean, withSimilarity: boolean): StrategyContext {
    const s = scratch;
    const P = ep.poolSize;
    const X = ep.data.X;
    for (let q = 0; q < P; q++) {
      s.proba[2 * q] = 1 - ep.poolP[q];
      s.proba[2 * q + 1] = ep.poolP[q];
      s.poolX.set(X.subarray((POOL_START + ep.live[q]) * F, (POOL_START + ep.live[q] + 1) * F), q * F);
    }
    const m = ep.labelled;
    if (s.labelledX.length < m * F) s.labelledX = new Float64Array(Math.max(m, ep.task.nSeed + ep.task.budget) * F);
    for (let i = 0; i < m; i++) s.labelledX.set(X.subarray(ep.labelledRows[i] * F, (ep.labelledRows[i] + 1) * F), i * F);
    const cache = ep.strategyCache.fill(
      { poolX: X.subarray(POOL_START * F, (POOL_START + N_POOL) * F), d: F, ids: ep.live, n: P, labelledX: s.labelledX, m, dataKey: ep.data },
      withMinSq,
      withSimilarity,
    );
    return {
      n: P,
      K: 2,
      d: F,
      proba: s.proba.subarray(0, 2 * P),
      X: s.poolX.subarray(0, P * F),
      m,
      labelledX: s.labelledX.subarray(0, m * F),
      labelledY: ep.labelledLabels.subarray(0, m),
      rng: ep.rng,
      makeModel: makeCurationModel,
      cache,
    };
  }

  /**
   * Buys the pool positions `picks[0..n)`: appends them to the labelled set and returns their
   * statistics (null when n = 0). `tally.disagreements` accumulates across strategies;
   * `tally.expectedSum` is set to this strategy's plain sum of min(p, 1 − p) (0 without picks).
   */
  private buy(ep: Episode, picks: Int32Array, n: number, tally: { disagreements: number; expectedSum: number }): StrategyBatchStats | null {
    tally.expectedSum = 0;
    if (n === 0) return null;
    let disagree = 0;
    let expected = 0;
    let ones = 0;
    let pSum = 0;
    for (let i = 0; i < n; i++) {
      const q = picks[i];
      const poolIndex = ep.live[q];
      const p = ep.poolP[q];
      const label = ep.data.poolLabel[poolIndex];
      const predicted = p >= 0.5 ? 1 : 0;
      if (label !== predicted) disagree++;
      expected += Math.min(p, 1 - p);
      ones += label;
      pSum += p;
      const row = POOL_START + poolIndex;
      ep.labelledRows[ep.labelled] = row;
      ep.labelledLabels[ep.labelled] = label;
      ep.labelled++;
      addRow(ep.featureSums, ep.data.X, row);
    }
    tally.disagreements += disagree;
    tally.expectedSum = expected;
    return { n, disagree: disagree / n, expected: expected / n, label_mean: ones / n, pred_mean: pSum / n };
  }

  protected refit(ep: Episode): void {
    refit(ep);
  }

  protected testAccuracy(ep: Episode): number {
    return testAccuracy(ep);
  }

  protected familyFields(): object {
    return NO_FIELDS;
  }

  /** Each strategy's statistics copied (they are flat). */
  protected copyBatch(batch: LastBatch): LastBatch {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(batch)) out[k] = v && { ...v };
    return out as LastBatch;
  }

  protected gradeOf(task: CurationTaskSpec, data: CurationGradeData): Grade {
    return curationGrade(task, data);
  }
}

const NO_FIELDS = {};

/** §2 step 10 and §3: the seed set, a full pool, the first fit; reuses `prev`'s buffers. */
function startEpisode(task: CurationTaskSpec, seed: number, data: CurationData, prev: Episode | null, fit = true, curve = true): Episode {
  const maxLabelled = task.nSeed + task.budget;
  const live = prev ? prev.live : new Int32Array(N_POOL);
  const poolP = prev ? prev.poolP : new Float64Array(N_POOL);
  const labelledRows = prev && prev.labelledRows.length >= maxLabelled ? prev.labelledRows : new Int32Array(maxLabelled);
  const labelledLabels = prev && prev.labelledLabels.length >= maxLabelled ? prev.labelledLabels : new Uint8Array(maxLabelled);
  const featureSums = prev ? prev.featureSums : new Float64Array(F);
  const strategyCache = prev ? prev.strategyCache : new PoolStrategyCache(N_POOL);
  strategyCache.reset();
  const model = prev ? prev.model : new SgdLogistic(F, CURATION.eta0);

  // §2 step 10: the seed set, walking the 100 candidates in order.
  const wantPos = task.nSeed - Math.floor(task.nSeed / 2);
  const wantNeg = Math.floor(task.nSeed / 2);
  let pos = 0;
  let neg = 0;
  let labelled = 0;
  for (let r = SPLITS.seedCandidates[0]; r < SPLITS.seedCandidates[1]; r++) {
    const y = data.yVisible[r];
    if (y === 1 ? pos < wantPos : neg < wantNeg) {
      labelledRows[labelled] = r;
      labelledLabels[labelled] = y;
      labelled++;
      if (y === 1) pos++;
      else neg++;
    }
  }
  featureSums.fill(0);
  for (let i = 0; i < labelled; i++) addRow(featureSums, data.X, labelledRows[i]);
  for (let q = 0; q < N_POOL; q++) live[q] = q;

  const ep: Episode = {
    task,
    seed,
    data,
    rng: data.rngAfter.clone(),
    live,
    poolSize: N_POOL,
    poolP,
    labelledRows,
    labelledLabels,
    labelled,
    featureSums,
    strategyCache,
    model,
    ...freshPoolCounters(task.budget),
  };
  if (fit) refit(ep);
  if (fit && curve) recordCurve(ep, testAccuracy(ep));
  return ep;
}

function addRow(sums: Float64Array, X: Float64Array, row: number): void {
  const base = row * F;
  for (let j = 0; j < F; j++) sums[j] += X[base + j];
}

/**
 * The diversity score: each pool position's squared distance to the labelled rows' centroid, into
 * `scratch.score` (positions flagged in `excluded` are skipped: no pick reads them).
 */
function centroidScores(ep: Episode, excluded: Uint8Array): void {
  const s = scratch;
  const X = ep.data.X;
  const c = s.centroid;
  for (let j = 0; j < F; j++) c[j] = ep.featureSums[j] / ep.labelled;
  for (let q = 0; q < ep.poolSize; q++) {
    if (excluded[q] !== 0) continue;
    const base = (POOL_START + ep.live[q]) * F;
    let acc = 0;
    for (let j = 0; j < F; j++) {
      const dv = X[base + j] - c[j];
      acc += dv * dv;
    }
    s.score[q] = acc;
  }
}

/**
 * §3: a fresh model fitted by 10 `partial_fit` calls on every labelled row, then the validation
 * metrics, the pool probabilities (kept for the next selection) and the labelled rows' spread.
 */
function refit(ep: Episode): void {
  const { model, data } = ep;
  const X = data.X;
  // The episode's X never changes: the WebAssembly kernel may keep it (same numbers either way).
  model.fitFromScratch(X, ep.labelledRows, ep.labelledLabels, ep.labelled, CURATION.fitEpochs, true);

  const s = scratch;
  model.predictRowsInto(X, VAL_START, null, N_VAL, s.validationP1, true);
  let correct = 0;
  for (let i = 0; i < N_VAL; i++) {
    const predicted = s.validationP1[i] >= 0.5 ? 1 : 0;
    if (predicted === data.yVisible[VAL_START + i]) correct++;
  }
  const loss = logLoss(data.yVisible.subarray(VAL_START, VAL_START + N_VAL), s.validationP1, N_VAL, s.validationLoss);
  ep.performance = 1 / (1 + loss);
  ep.validationAccuracy = correct / N_VAL;

  const P = ep.poolSize;
  model.predictRowsInto(X, POOL_START, ep.live, P, ep.poolP, true);
  let uncertainty = 0;
  for (let q = 0; q < P; q++) uncertainty += 1 - Math.abs(2 * ep.poolP[q] - 1);
  ep.poolUncertainty = P === 0 ? 0 : uncertainty / P;

  ep.diversity = labelledSpread(ep, X, F);
}

/** The current model's accuracy on the hidden test set: the only place it is read. */
function testAccuracy(ep: Episode): number {
  return hiddenTestAccuracy(ep.model, ep.data.hidden);
}

export type AnchorPolicy = 'random' | 'oracle_uncertainty' | 'oracle_diversity';

/**
 * The episodes the grade anchors are computed from (docs/curation.md), returning the final model's
 * test accuracy; used only to recompute the anchors, never reachable as an agent action.
 *
 * - `random`: `{random: 1}` batch 10 until done — the same draws as CurationEnv playing it.
 * - the clean-label oracles buy `b = min(ceil(budget / max_steps), remaining budget, pool size)`
 *   rows per step among those whose bought label is correct (they read the hidden flip mask):
 *   the most uncertain, or the farthest from the labelled centroid; they draw nothing.
 *
 * The model is refitted from scratch after each step, so when the picks do not depend on the
 * model (random, diversity) only the last fit matters: those paths fit once, at the end, and give
 * the same final model (the anchors test also plays `random` through CurationEnv and compares).
 */
export function playAnchorEpisode(task: CurationTaskSpec, data: CurationData, policy: AnchorPolicy): number {
  const needsModel = policy === 'oracle_uncertainty';
  const ep = startEpisode(task, data.seed, data, null, needsModel, false);
  const s = scratch;
  const X = data.X;
  const flipped = data.hidden.poolFlipped;
  const perStep = policy === 'random' ? Math.max(10, task.minBatch) : Math.ceil(task.budget / task.maxSteps);
  const rng = data.rngAfter.clone();
  while (ep.budget > 0 && ep.steps < task.maxSteps && ep.poolSize > 0) {
    const P = ep.poolSize;
    const b = Math.min(perStep, ep.budget, P);
    const excluded = s.excluded;
    let n: number;
    let picks: Int32Array;
    if (policy === 'random') {
      for (let q = 0; q < P; q++) s.candidates[q] = q;
      rng.choiceWithoutReplacementInto(s.candidates, P, b, s.picksR, s.permutation);
      picks = s.picksR;
      n = b;
    } else {
      for (let q = 0; q < P; q++) excluded[q] = flipped[ep.live[q]];
      if (policy === 'oracle_uncertainty') {
        for (let q = 0; q < P; q++) s.score[q] = -Math.abs(ep.poolP[q] - 0.5);
      } else {
        centroidScores(ep, excluded);
      }
      n = topK(s.score, P, b, excluded, s.picksU, s.topScore);
      picks = s.picksU;
    }
    excluded.fill(0, 0, P);
    for (let i = 0; i < n; i++) {
      const q = picks[i];
      const row = POOL_START + ep.live[q];
      ep.labelledRows[ep.labelled] = row;
      ep.labelledLabels[ep.labelled] = data.poolLabel[ep.live[q]];
      ep.labelled++;
      addRow(ep.featureSums, X, row);
      excluded[q] = 1;
    }
    ep.poolSize = removePicks(ep.live, P, excluded);
    if (needsModel) refit(ep);
    ep.budget -= b;
    ep.steps += 1;
  }
  if (!needsModel) refit(ep);
  return testAccuracy(ep);
}
