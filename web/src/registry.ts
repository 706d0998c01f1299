/**
 * What the console exposes on `window.dsConsole`: the live uPlot instances (their `.data` is
 * exactly what is drawn) and the panels. Browser tests read it; people may poke at it from the
 * devtools console.
 */
import type uPlot from 'uplot';

export interface Registry {
  ready: boolean;
  charts: Record<string, uPlot>;
  play?: unknown;
  compare?: unknown;
  /** Episode ids of the live panel and of the compare overlay, in series order. */
  liveEpisodeId: string | null;
  compared: string[];
  /** The groups on Compare's learning-curve chart, in series order, with the band painted around each (null: one episode). */
  curves: { label: string; task_id: string; band: { low: (number | null)[]; high: (number | null)[] } | null }[];
}

export const registry: Registry = { ready: false, charts: {}, liveEpisodeId: null, compared: [], curves: [] };

(window as unknown as { dsConsole: Registry }).dsConsole = registry;

/** Exposes a chart by name; a getter, because the compare chart is rebuilt when its series change. */
export function registerChart(name: string, chart: { readonly u: uPlot }): void {
  Object.defineProperty(registry.charts, name, { get: () => chart.u, enumerable: true, configurable: true });
}
