/** A benchmark figure and how it is printed: value, the original's figure, the ratio and the goal. */
export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  /** The original Python implementation's figure on this class of machine, if measured. */
  original?: number;
  /** "lower" when smaller is better (times, memory), "higher" for throughput. */
  better?: 'lower' | 'higher';
  /** Goal as a ratio against the original (e.g. 20 = 20× better), or an absolute bound. */
  goalRatio?: number;
  goalAbsolute?: number;
  note?: string;
}

export function ratioOf(f: Figure): number | undefined {
  if (f.original === undefined || f.value === 0) return undefined;
  return f.better === 'higher' ? f.value / f.original : f.original / f.value;
}

export function metOf(f: Figure): boolean | undefined {
  const r = ratioOf(f);
  if (f.goalRatio !== undefined && r !== undefined) return r >= f.goalRatio;
  if (f.goalAbsolute !== undefined) return f.better === 'higher' ? f.value >= f.goalAbsolute : f.value <= f.goalAbsolute;
  return undefined;
}

function baselineCells(c: Comparison | undefined, unit: string): string[] {
  if (!c || c.baseline === undefined) return ['', ''];
  const pct = c.worse === undefined ? undefined : Math.round(100 * c.worse);
  const delta = pct === undefined ? '' : pct >= 0 ? `${pct} % worse` : `${-pct} % better`;
  return [`${fmt(c.baseline)} ${unit}`, c.regressed ? `${delta} REGRESSED` : delta];
}

const fmt = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));

export function printTable(figures: Figure[], comparisons?: Comparison[]): void {
  const rows = figures.map((f, i) => {
    const r = ratioOf(f);
    const met = metOf(f);
    const goal =
      f.goalRatio !== undefined ? `≥ ${f.goalRatio}×` : f.goalAbsolute !== undefined ? `${f.better === 'higher' ? '≥' : '≤'} ${fmt(f.goalAbsolute)} ${f.unit}` : '';
    return [
      f.section,
      f.name,
      `${fmt(f.value)} ${f.unit}`,
      f.original !== undefined ? `${fmt(f.original)} ${f.unit}` : '',
      r !== undefined ? `${r.toFixed(1)}×` : '',
      goal,
      met === undefined ? '' : met ? 'met' : 'MISSED',
      ...(comparisons ? baselineCells(comparisons[i], f.unit) : []),
      f.note ?? '',
    ];
  });
  const header = ['section', 'figure', 'value', 'original', 'ratio', 'goal', 'status', ...(comparisons ? ['baseline', 'vs baseline'] : []), 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** One figure of the committed baseline (bench/baseline.json). */
export interface BaselineEntry {
  section: string;
  name: string;
  value: number;
  unit: string;
  better?: 'lower' | 'higher';
}

export interface Baseline {
  /** When and under what load the figures were taken (the machine is shared: load matters). */
  written: string;
  loadavg: number[];
  quick: boolean;
  figures: BaselineEntry[];
}

export interface Comparison {
  baseline?: number;
  /** How much worse than the baseline (0.2 = 20 % worse; negative = better). */
  worse?: number;
  regressed: boolean;
}

const keyOf = (f: { section: string; name: string }) => `${f.section}\u0000${f.name}`;

/**
 * Compares a figure with its baseline entry (same section, name and unit). A figure regresses when
 * it is worse by more than `tolerance` (a fraction: 0.5 = 50 % slower or 33 % less throughput).
 * Figures without a direction, or without a baseline entry, are never flagged.
 */
export function compareToBaseline(f: Figure, baseline: Baseline | null, tolerance: number): Comparison {
  if (!baseline || !f.better) return { regressed: false };
  const b = baseline.figures.find((e) => keyOf(e) === keyOf(f) && e.unit === f.unit);
  if (!b || !Number.isFinite(b.value) || !Number.isFinite(f.value) || b.value <= 0 || f.value <= 0) {
    return { baseline: b?.value, regressed: false };
  }
  const worse = f.better === 'lower' ? f.value / b.value - 1 : b.value / f.value - 1;
  return { baseline: b.value, worse, regressed: worse > tolerance };
}

/** The new baseline: the figures just measured replace their entries; the others are kept. */
export function mergeBaseline(old: Baseline | null, figures: Figure[], meta: { written: string; loadavg: number[]; quick: boolean }): Baseline {
  const fresh = figures
    .filter((f) => f.better && Number.isFinite(f.value))
    .map((f) => ({ section: f.section, name: f.name, value: f.value, unit: f.unit, better: f.better }));
  const freshKeys = new Set(fresh.map(keyOf));
  const kept = (old?.figures ?? []).filter((e) => !freshKeys.has(keyOf(e)));
  return { ...meta, figures: [...kept, ...fresh] };
}

/** Parses a baseline file's text; throws with a readable message when it is not one. */
export function parseBaseline(text: string): Baseline {
  const v = JSON.parse(text) as Partial<Baseline>;
  if (!v || !Array.isArray(v.figures) || typeof v.written !== 'string') throw new Error('not a bench baseline (expected {written, loadavg, figures[]})');
  for (const e of v.figures) {
    if (typeof e?.section !== 'string' || typeof e.name !== 'string' || typeof e.value !== 'number' || typeof e.unit !== 'string') {
      throw new Error(`bench baseline: malformed entry ${JSON.stringify(e)}`);
    }
  }
  return { written: v.written, loadavg: Array.isArray(v.loadavg) ? v.loadavg : [], quick: Boolean(v.quick), figures: v.figures };
}
