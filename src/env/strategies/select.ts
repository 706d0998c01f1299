/**
 * One selection over the library: how an action's weights become per-strategy counts, and the
 * strategies run in a fixed order over one shared exclusion mask — the curation family's rule
 * (docs/curation.md §select_batch) extended to every strategy a task accepts.
 *
 * Split: tot = ((w_uncertainty + w_diversity) + w_random) + w_least_confidence + w_margin + … in
 * `ALL_STRATEGIES` order (absent weights are 0, so with the original three alone tot is the
 * family's own sum, bit for bit); every strategy but random gets ⌊b·w/tot⌋, random the rest
 * (should rounding make the floors exceed b, the strategies latest in run order give back).
 * Run order: `RUN_ORDER` (uncertainty, diversity, the library in registry order, random last),
 * each strategy excluding what the earlier ones picked.
 */
import { ALL_STRATEGIES, LIBRARY_STRATEGIES, strategyFn, type StrategyName } from './index.ts';
import type { StrategyContext } from './types.ts';

export const RUN_ORDER: readonly StrategyName[] = Object.freeze(['uncertainty', 'diversity', ...LIBRARY_STRATEGIES, 'random']);

/** Counts per strategy, keyed by name, for an effective batch `b` and validated weights. */
export function splitBatch(b: number, weights: Readonly<Partial<Record<string, number>>>): Record<StrategyName, number> {
  let tot = 0;
  for (const s of ALL_STRATEGIES) tot += weights[s] ?? 0;
  const counts = {} as Record<StrategyName, number>;
  let rest = b;
  for (const s of RUN_ORDER) {
    if (s === 'random') continue;
    const n = Math.floor((b * (weights[s] ?? 0)) / tot);
    counts[s] = n;
    rest -= n;
  }
  // Rounding could in principle push Σ⌊b·w/tot⌋ past b; then the latest strategies give back.
  for (let i = RUN_ORDER.length - 2; rest < 0 && i >= 0; i--) {
    const s = RUN_ORDER[i];
    const give = Math.min(counts[s], -rest);
    counts[s] -= give;
    rest += give;
  }
  counts.random = rest;
  return counts;
}

export interface SelectionPicks {
  /** Picks per strategy in pick order (candidate indices), for the strategies with a count > 0. */
  picks: Partial<Record<StrategyName, Int32Array>>;
  /** Every pick, in run order. */
  order: Int32Array;
  total: number;
}

/**
 * Runs the strategies with a count > 0 in `RUN_ORDER` over `ctx`. `exclude` (length ≥ n) must be
 * all 0 on entry; on return it flags every pick. Each strategy's picks are a fresh Int32Array.
 */
export function runSelection(ctx: StrategyContext, counts: Readonly<Record<StrategyName, number>>, exclude: Uint8Array): SelectionPicks {
  const picks: Partial<Record<StrategyName, Int32Array>> = {};
  const order: number[] = [];
  const buffer = new Int32Array(ctx.n);
  for (const s of RUN_ORDER) {
    const c = counts[s];
    if (!(c > 0)) continue;
    const taken = strategyFn(s)(ctx, Math.min(c, ctx.n), exclude, buffer);
    const mine = buffer.slice(0, taken);
    for (let i = 0; i < taken; i++) {
      exclude[mine[i]] = 1;
      order.push(mine[i]);
    }
    picks[s] = mine;
  }
  return { picks, order: Int32Array.from(order), total: order.length };
}
