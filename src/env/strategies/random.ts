/**
 * random: uniform sampling without replacement among the candidates not excluded.
 *
 * The remaining candidates in ascending order, then numpy's legacy
 * `RandomState.choice(candidates, count, replace=False)` (a full permutation of them, first
 * `count`) from the episode's stream — nothing is drawn when none remains or count = 0.
 * Bit-identical to CurationEnv's random picks.
 *
 * Reference: the passive baseline of every active-learning benchmark (Settles 2009; CDALBench).
 */
import { intScratch } from './scratch.ts';
import type { StrategyContext } from './types.ts';

export function randomSampling(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  const n = ctx.n;
  const candidates = intScratch('strategies.candidates', n);
  let m = 0;
  for (let i = 0; i < n; i++) if (exclude[i] === 0) candidates[m++] = i;
  const take = Math.min(count, m);
  if (take <= 0) return 0;
  ctx.rng.choiceWithoutReplacementInto(candidates, m, take, out, intScratch('strategies.permutation', m));
  return take;
}
