/**
 * DatasetEnv: the environment of the data-set tasks (docs/datasets.md) — a real, labelled data set
 * per task, K ≥ 2 classes, a softmax SGD model refitted from scratch after every purchase, the
 * strategy library, and a hidden annotator regime. A plain synchronous class with the
 * Gymnasium-style API of DataSelectEnv and CurationEnv.
 *
 * Hidden truth is kept apart as in the curation family: observations and rewards are computed
 * from `EpisodeData` only (features of the non-test rows, seed and validation labels, bought
 * labels); `data.hidden` (regime, pool truth, flips, test set) is read only by `testAccuracy`,
 * whose values — the learning curve — stay inside the episode until the grade.
 */
import type { RandomState } from '../../numerics/random-state.ts';
import { SoftmaxSgd } from '../../numerics/softmax-sgd.ts';
import type { ResetOptions } from '../episode-env.ts';
import { freshPoolCounters, hiddenTestAccuracy, labelledSpread, PoolEnv, recordCurve, removePicks, type PoolEpisode } from '../pool-env.ts';
import { PoolStrategyCache, candidateMeanSimilarity, poolSimilarityMatrix } from '../strategies/cache.ts';
import type { StrategyContext } from '../strategies/index.ts';
import { strategySplit } from '../actions.ts';
import { RUN_ORDER } from '../strategies/names.ts';
import { runSelection } from '../strategies/select.ts';
import type { DatasetTaskSpec } from '../tasks.ts';
import type { Action, Grade, StepResult } from '../types.ts';
import { getEpisodeData } from './data-cache.ts';
import type { EpisodeData } from './generate.ts';
import { datasetGrade, type DatasetGradeData } from './grader.ts';
import type { DatasetLastBatch, DatasetObservation, DatasetStrategyStats } from './observation.ts';
import { DATASET_FAMILY, type DatasetRegime } from './params.ts';

/** The reset's task (default `iris`) and seed (default 42). */
export type DatasetResetOptions = ResetOptions;

export interface DatasetEnvOptions {
  recordSelections?: boolean;
  /** Where an episode's data comes from (default: generated, through a small per-process cache). */
  dataSource?: (task: DatasetTaskSpec, seed: number) => EpisodeData;
}

/** The model every data-set task fits (docs/datasets.md "Model"). */
export function makeDatasetModel(d: number, K: number): SoftmaxSgd {
  return new SoftmaxSgd(d, K, { eta0: DATASET_FAMILY.eta0, epochs: DATASET_FAMILY.fitEpochs });
}

interface Episode extends PoolEpisode<DatasetTaskSpec, DatasetRegime, DatasetLastBatch> {
  data: EpisodeData;
  rng: RandomState;
  /** poolSize × K probabilities of the current pool positions (current model). */
  poolP: Float64Array;
  classCounts: Int32Array;
  model: SoftmaxSgd;
  /** Per-episode buffers: pool rows of data.X, the strategies' pool and labelled features, the picks' mask. */
  poolRows: Int32Array;
  poolX: Float64Array;
  labelledX: Float64Array;
  exclude: Uint8Array;
  validationP: Float64Array;
  similarity: Float64Array;
  /** coreset's min-distances across the episode's steps (by pool index). */
  strategyCache: PoolStrategyCache;
  /** The plain sum of every feature value of the first `valueRows` labelled rows (labelled order, row-major). */
  valueSum: number;
  valueRows: number;
}

export class DatasetEnv extends PoolEnv<DatasetTaskSpec, DatasetRegime, DatasetLastBatch, Episode, DatasetObservation> {
  protected readonly family = 'dataset';
  protected readonly defaultTask = 'iris';
  protected readonly envClass = 'DatasetEnv';
  protected readonly rewardScale = DATASET_FAMILY.rewardScale;
  private readonly dataSource: (task: DatasetTaskSpec, seed: number) => EpisodeData;

  constructor(options: DatasetEnvOptions = {}) {
    super(options.recordSelections ?? false);
    this.dataSource = options.dataSource ?? getEpisodeData;
  }

  protected startEpisode(task: DatasetTaskSpec, seed: number): Episode {
    return startEpisode(task, seed, this.dataSource(task, seed));
  }

  protected select(ep: Episode, action: Action): StepResult {
    const { data } = ep;
    const K = data.K;
    const d = data.d;
    const P = ep.poolSize;
    const b = Math.min(Math.max(action.batch_size, ep.task.minBatch), ep.budget, P);
    const counts = strategySplit(b, action.strategy_weights);

    // The strategies' context: the pool's features and probabilities, the labelled set (episode buffers).
    const X = ep.poolX;
    for (let q = 0; q < P; q++) X.set(data.X.subarray((data.poolStart + ep.live[q]) * d, (data.poolStart + ep.live[q] + 1) * d), q * d);
    const labelledX = ep.labelledX;
    for (let i = 0; i < ep.labelled; i++) labelledX.set(data.X.subarray(ep.labelledRows[i] * d, (ep.labelledRows[i] + 1) * d), i * d);
    const ctx: StrategyContext = {
      n: P,
      K,
      d,
      proba: ep.poolP.subarray(0, P * K),
      X: X.subarray(0, P * d),
      m: ep.labelled,
      labelledX: labelledX.subarray(0, ep.labelled * d),
      labelledY: ep.labelledLabels.subarray(0, ep.labelled),
      rng: ep.rng,
      makeModel: makeDatasetModel,
    };
    // Caches equal to what coreset and density compute themselves (cache.ts): coreset's
    // min-distances folded in once per purchase, density's similarities over the current
    // candidates from the pool's similarity matrix (computed once per data set).
    if (counts.coreset > 0 || counts.density > 0) {
      const pool = data.X.subarray(data.poolStart * d, (data.poolStart + data.nPool) * d);
      ctx.cache = counts.coreset > 0 ? ep.strategyCache.fill({ poolX: pool, d, ids: ep.live, n: P, labelledX: ctx.labelledX, m: ep.labelled, dataKey: data }, true, false) : {};
      if (counts.density > 0) {
        const M = poolSimilarityMatrix(data, pool, data.nPool, d);
        ctx.cache.meanSimilarity = candidateMeanSimilarity(M, data.nPool, ep.live, P, ep.similarity);
      }
    }
    const exclude = ep.exclude;
    exclude.fill(0, 0, P);
    const selection = runSelection(ctx, counts, exclude);
    const picked = RUN_ORDER.filter((name) => selection.picks[name] !== undefined).map((name) => ({ name, picks: Array.from(selection.picks[name]!) }));
    if (this.recordSelections) {
      this.lastSelection = {
        pool_size_before: P,
        requested: action.batch_size,
        effective: b,
        n_u: 0,
        n_d: 0,
        n_r: 0,
        uncertainty_idx: [],
        diversity_idx: [],
        random_idx: [],
        train_order: [],
        picks: Object.fromEntries(picked.map((p) => [p.name, p.picks])),
      };
    }

    // Statistics with the model before it sees the labels; picks join the labelled set in pick order.
    const strategies: Record<string, DatasetStrategyStats> = {};
    let totalN = 0;
    let totalDisagree = 0;
    let totalExpected = 0;
    for (const { name, picks } of picked) {
      if (picks.length === 0) continue;
      const s = this.buy(ep, picks);
      strategies[name] = s.stats;
      totalN += picks.length;
      totalDisagree += s.disagree;
      totalExpected += s.expected;
    }
    ep.disagreements += totalDisagree;
    ep.expectedDisagreements += totalExpected;
    ep.bought += totalN;
    ep.lastBatch = { strategies, total: { n: totalN, disagree: totalDisagree / totalN, expected: totalExpected / totalN } };

    return this.finishSelection(ep, b, exclude, { batch_size: b, split: Object.fromEntries(picked.map((p) => [p.name, p.picks.length])) });
  }

  /** Buys pool positions `picks`: their statistics (model before the labels), then into the labelled set. */
  private buy(ep: Episode, picks: number[]): { stats: DatasetStrategyStats; disagree: number; expected: number } {
    const K = ep.data.K;
    const labelShares = new Array<number>(K).fill(0);
    const predShares = new Array<number>(K).fill(0);
    let disagree = 0;
    let expected = 0;
    for (const q of picks) {
      const poolIndex = ep.live[q];
      const label = ep.data.poolLabel[poolIndex];
      let best = 0;
      for (let k = 1; k < K; k++) if (ep.poolP[q * K + k] > ep.poolP[q * K + best]) best = k;
      if (label !== best) disagree++;
      expected += 1 - ep.poolP[q * K + best];
      labelShares[label] += 1;
      for (let k = 0; k < K; k++) predShares[k] += ep.poolP[q * K + k];
      ep.labelledRows[ep.labelled] = ep.data.poolStart + poolIndex;
      ep.labelledLabels[ep.labelled] = label;
      ep.labelled++;
      ep.classCounts[label]++;
    }
    const n = picks.length;
    return {
      stats: {
        n,
        disagree: disagree / n,
        expected: expected / n,
        label_shares: labelShares.map((c) => c / n),
        pred_shares: predShares.map((c) => c / n),
      },
      disagree,
      expected,
    };
  }

  protected refit(ep: Episode): void {
    refit(ep);
  }

  protected testAccuracy(ep: Episode): number {
    return testAccuracy(ep);
  }

  protected familyFields(ep: Episode): Pick<DatasetObservation, 'n_classes' | 'class_counts'> {
    return { n_classes: ep.data.K, class_counts: Array.from(ep.classCounts) };
  }

  protected copyBatch(batch: DatasetLastBatch): DatasetLastBatch {
    return structuredClone(batch);
  }

  protected gradeOf(task: DatasetTaskSpec, data: DatasetGradeData): Grade {
    return datasetGrade(task, data);
  }
}

function startEpisode(task: DatasetTaskSpec, seed: number, data: EpisodeData, fit = true): Episode {
  const K = data.K;
  const maxLabelled = data.nSeedCandidates + task.budget;
  const labelledRows = new Int32Array(maxLabelled);
  const labelledLabels = new Uint8Array(maxLabelled);
  const classCounts = new Int32Array(K);
  for (let r = 0; r < data.nSeedCandidates; r++) {
    labelledRows[r] = r;
    labelledLabels[r] = data.yVisible[r];
    classCounts[data.yVisible[r]]++;
  }
  const strategyCache = new PoolStrategyCache(data.nPool);
  const ep: Episode = {
    task,
    seed,
    data,
    rng: data.rngAfter.clone(),
    live: Int32Array.from({ length: data.nPool }, (_, i) => i),
    poolSize: data.nPool,
    poolP: new Float64Array(data.nPool * K),
    labelledRows,
    labelledLabels,
    labelled: data.nSeedCandidates,
    classCounts,
    model: makeDatasetModel(data.d, K),
    poolRows: new Int32Array(data.nPool),
    poolX: new Float64Array(data.nPool * data.d),
    labelledX: new Float64Array(maxLabelled * data.d),
    exclude: new Uint8Array(data.nPool),
    validationP: new Float64Array(data.nValidation * K),
    similarity: new Float64Array(data.nPool),
    strategyCache,
    ...freshPoolCounters(task.budget),
  };
  if (fit) {
    refit(ep);
    recordCurve(ep, testAccuracy(ep));
  }
  return ep;
}

const validationRowsCache = new WeakMap<EpisodeData, Int32Array>();

/** A fresh model on every labelled row, then the validation metrics, pool probabilities and spread. */
function refit(ep: Episode): void {
  const { data, model } = ep;
  const K = data.K;
  const d = data.d;
  // The episode's data never changes: the WebAssembly kernel may keep it (same numbers either way).
  model.fit(data.X, ep.labelledRows, ep.labelledLabels, ep.labelled, true);

  let rows = validationRowsCache.get(data);
  if (!rows) {
    rows = Int32Array.from({ length: data.nValidation }, (_, i) => data.validationStart + i);
    validationRowsCache.set(data, rows);
  }
  const nV = data.nValidation;
  const pv = model.predictProbaInto(data.X, rows, nV, ep.validationP, true);
  let correct = 0;
  let loss = 0;
  const eps = 1e-15;
  for (let i = 0; i < nV; i++) {
    const y = data.yVisible[data.validationStart + i];
    let best = 0;
    for (let k = 1; k < K; k++) if (pv[i * K + k] > pv[i * K + best]) best = k;
    if (best === y) correct++;
    loss += -Math.log(Math.min(Math.max(pv[i * K + y], eps), 1 - eps));
  }
  ep.performance = 1 / (1 + loss / nV);
  ep.validationAccuracy = correct / nV;

  const P = ep.poolSize;
  const poolRows = ep.poolRows;
  for (let q = 0; q < P; q++) poolRows[q] = data.poolStart + ep.live[q];
  model.predictProbaInto(data.X, poolRows, P, ep.poolP, true);
  // Mean of (1 − max p)·K/(K − 1): 0 when every pool row is certain, 1 when all are uniform.
  let unc = 0;
  for (let q = 0; q < P; q++) {
    let top = 0;
    for (let k = 0; k < K; k++) if (ep.poolP[q * K + k] > top) top = ep.poolP[q * K + k];
    unc += ((1 - top) * K) / (K - 1);
  }
  ep.poolUncertainty = P === 0 ? 0 : unc / P;

  ep.diversity = labelledSpread(ep, data.X, d);
}

/** The current model's accuracy on the hidden test set: the only place it is read. */
function testAccuracy(ep: Episode): number {
  return hiddenTestAccuracy(ep.model, ep.data.hidden);
}

export type DatasetAnchorPolicy = 'random' | 'oracle_uncertainty' | 'oracle_random';

/**
 * The episodes the grade anchors come from (docs/datasets.md "Grade and anchors"); returns the
 * final test accuracy. `b = min(⌈budget / max_steps⌉, budget left, pool)` rows per step:
 * `random` draws them like the `random` strategy (the same stream as DatasetEnv playing
 * `{random: 1}` with that batch); the clean-label oracles read the hidden flip mask and buy only
 * rows whose label is correct — the least confident (`oracle_uncertainty`) or uniformly drawn
 * (`oracle_random`). Never reachable as an agent action.
 */
export function playDatasetAnchorEpisode(task: DatasetTaskSpec, data: EpisodeData, policy: DatasetAnchorPolicy): number {
  const ep = startEpisode(task, data.seed, data, policy === 'oracle_uncertainty');
  const K = data.K;
  const perStep = Math.ceil(task.budget / task.maxSteps);
  const rng = data.rngAfter.clone();
  const flipped = data.hidden.poolFlipped;
  while (ep.budget > 0 && ep.steps < task.maxSteps && ep.poolSize > 0) {
    const P = ep.poolSize;
    const b = Math.min(perStep, ep.budget, P);
    const candidates: number[] = [];
    for (let q = 0; q < P; q++) if (policy === 'random' || flipped[ep.live[q]] === 0) candidates.push(q);
    let picks: number[];
    if (policy === 'oracle_uncertainty') {
      const score = (q: number) => {
        let top = 0;
        for (let k = 0; k < K; k++) if (ep.poolP[q * K + k] > top) top = ep.poolP[q * K + k];
        return 1 - top;
      };
      picks = candidates.map((q) => [q, score(q)] as const).sort((a, b2) => b2[1] - a[1] || a[0] - b2[0]).slice(0, b).map(([q]) => q);
    } else {
      const take = Math.min(b, candidates.length);
      const out = new Int32Array(take);
      if (take > 0) rng.choiceWithoutReplacementInto(Int32Array.from(candidates), candidates.length, take, out, new Int32Array(candidates.length));
      picks = Array.from(out);
    }
    const taken = new Uint8Array(P);
    for (const q of picks) {
      taken[q] = 1;
      ep.labelledRows[ep.labelled] = data.poolStart + ep.live[q];
      ep.labelledLabels[ep.labelled] = data.poolLabel[ep.live[q]];
      ep.labelled++;
    }
    ep.poolSize = removePicks(ep.live, P, taken);
    if (policy === 'oracle_uncertainty') refit(ep);
    ep.budget -= b;
    ep.steps += 1;
    if (picks.length === 0) break;
  }
  if (policy !== 'oracle_uncertainty') ep.model.fit(data.X, ep.labelledRows, ep.labelledLabels, ep.labelled, true);
  return testAccuracy(ep);
}
