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

const fmt = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));

export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => {
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
      f.note ?? '',
    ];
  });
  const header = ['section', 'figure', 'value', 'original', 'ratio', 'goal', 'status', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
