/**
 * The mean AUBC of a set of graded episodes with its 95% CI — the figure `eval` and `benchmark`
 * report and the console's Compare groups show. Pure (statistics only), so the browser bundle
 * imports this very function instead of a copy.
 */
import { meanConfidenceInterval } from './stats.ts';

export interface AubcSummary {
  mean: number;
  ci95_low: number | null;
  ci95_high: number | null;
  episodes: number;
}

/**
 * Over the episodes whose grade breakdown reports a numeric `aubc`, in the order given (sums run
 * in that order, so the same episodes in the same order give the same digits); null when none does.
 */
export function aubcSummary(results: readonly { breakdown?: Readonly<Record<string, unknown>> | null }[]): AubcSummary | null {
  const values = results.map((r) => r.breakdown?.aubc).filter((v): v is number => typeof v === 'number');
  if (values.length === 0) return null;
  const ci = meanConfidenceInterval(values);
  return { mean: ci.mean, ci95_low: ci.low, ci95_high: ci.high, episodes: values.length };
}
