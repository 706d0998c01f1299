/**
 * The query-strategy contract (issue 15): a strategy is a pure, deterministic function of a
 * `StrategyContext` that writes candidate indices into `out` in pick order.
 *
 * Everything is a typed array, row-major:
 * - `proba`: n × K, the current model's class probabilities for the n candidates (K ≥ 2; for a
 *   binary task column 1 is P(class 1)).
 * - `X`: n × d, the candidates' scaled features; `labelledX`: m × d and `labelledY`: m, the
 *   labelled set in labelled order (seed rows first, then purchases).
 * - `rng`: the episode's RandomState. Only strategies that are random by definition draw from it
 *   (random, committee's bootstraps, badge's D² sampling), so their picks are a function of the
 *   episode (task, seed, accepted actions); the others never touch it.
 * - `makeModel`: a fresh, unfitted model of the task's family (committee members), trained with
 *   the task's own recipe by `fit`.
 *
 * `exclude` flags the candidates already chosen for this batch (by strategies that ran before in
 * the same selection). A strategy never picks them; the batch-aware ones (coreset, badge) treat
 * them as chosen centres. A strategy picks `min(count, available)` candidates and returns that
 * number; it never modifies the context's arrays or `exclude`. Ties go to the lower candidate
 * index unless a strategy's header says otherwise.
 */
import type { ModelFactory } from '../../numerics/model.ts';
import type { RandomState } from '../../numerics/random-state.ts';

export type { ModelFactory, ProbabilisticModel } from '../../numerics/model.ts';

export interface StrategyContext {
  /** Candidates (the current pool). */
  n: number;
  /** Classes (≥ 2). */
  K: number;
  /** Features. */
  d: number;
  /** n × K class probabilities of the candidates under the current model. */
  proba: Float64Array;
  /** n × d scaled features of the candidates. */
  X: Float64Array;
  /** Labelled rows. */
  m: number;
  /** m × d features of the labelled rows, labelled order. */
  labelledX: Float64Array;
  /** m labels in [0, K). */
  labelledY: ArrayLike<number>;
  /** The episode's random stream (see the header: only random strategies draw). */
  rng: RandomState;
  /** Fresh models for committee members. */
  makeModel: ModelFactory;
  /**
   * Optional caches a caller may keep across steps; a strategy computes what is absent. Each must
   * equal what the strategy would compute itself (the strategy files say exactly what that is).
   */
  cache?: StrategyCache;
}

export interface StrategyCache {
  /** n: squared Euclidean distance of each candidate to its nearest labelled row (coreset). */
  minSqDistToLabelled?: Float64Array;
  /** n: each candidate's mean similarity to the density reference set (density; see density.ts). */
  meanSimilarity?: Float64Array;
}

/**
 * Picks up to `count` candidates not flagged in `exclude` (length ≥ n), writes them to `out` in
 * pick order and returns how many it picked. Deterministic given the context (and the rng state).
 */
export type StrategyFn = (ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array) => number;

export interface StrategyInfo {
  name: string;
  /** One-line definition (what the score is, how ties break). */
  definition: string;
  /** The literature / library reference. */
  reference: string;
  /** Does it draw from the episode's rng? */
  random: boolean;
  pick: StrategyFn;
}
