/**
 * diversity: the curation family's diversity sampler (docs/curation.md) — the candidates
 * farthest from the centroid of the labelled rows.
 *
 * c_j = (Σ_i labelledX[i][j]) / m (plain sums in labelled order; the origin when m = 0);
 * score(x) = Σ_j (x_j − c_j)² (plain sum in column order); highest first, ties to the lower
 * index. Bit-identical to CurationEnv's diversity picks.
 *
 * Reference: distance-to-centroid diversity, as in the representativeness/diversity criteria
 * surveyed by Settles 2009 §5 and the original environment's diversity sampler.
 */
import { floatScratch } from './scratch.ts';
import { pickTop } from './score.ts';
import type { StrategyContext } from './types.ts';

export function labelledCentroid(ctx: StrategyContext, out: Float64Array): Float64Array {
  const { d, m, labelledX } = ctx;
  out.fill(0, 0, d);
  for (let i = 0; i < m; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) out[j] += labelledX[base + j];
  }
  if (m > 0) for (let j = 0; j < d; j++) out[j] = out[j] / m;
  return out;
}

export function diversity(ctx: StrategyContext, count: number, exclude: Uint8Array, out: Int32Array): number {
  const { n, d, X } = ctx;
  const c = labelledCentroid(ctx, floatScratch('strategies.centroid', d));
  const score = floatScratch('strategies.score', n);
  for (let i = 0; i < n; i++) {
    if (exclude[i] !== 0) continue;
    const base = i * d;
    let acc = 0;
    for (let j = 0; j < d; j++) {
      const v = X[base + j] - c[j];
      acc += v * v;
    }
    score[i] = acc;
  }
  return pickTop(score, n, count, exclude, out);
}
