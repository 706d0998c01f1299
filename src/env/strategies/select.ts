/**
 * One selection over the library: the strategies run in a fixed order over one shared exclusion
 * mask — the curation family's rule (docs/curation.md §select_batch) extended to every strategy a
 * task accepts. The per-strategy counts come from `strategySplit` (src/env/actions.ts). Run order:
 * `RUN_ORDER` (uncertainty, diversity, the library in registry order, random last), each strategy
 * excluding what the earlier ones picked.
 */
import { strategyFn } from './index.ts';
import { RUN_ORDER, type StrategyName } from './names.ts';
import type { StrategyContext } from './types.ts';

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
