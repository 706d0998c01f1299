/**
 * uPlot wrappers: plain line charts and the stacked reward chart. Every chart keeps the exact
 * arrays it plots in `uplot.data`; the console registers the instances on `window.dsConsole`
 * so the browser tests compare plotted points with the API's numbers, not a copy of them.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type Series = (number | null)[];

/** Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#8a7a00', '#000000'];

export interface LineSpec {
  label: string;
  color: string;
  dash?: number[];
  /** Digits shown in the legend. */
  digits?: number;
  /** Markers on the data points (default on; off for reference lines). */
  points?: boolean;
}

export interface Chart {
  readonly u: uPlot;
  setData(data: Series[]): void;
  /** Replaces the series (compare overlay: one series per episode), optionally the y-axis label too. */
  setSeries(specs: LineSpec[], data: Series[], yLabel?: string): void;
  destroy(): void;
}

const HEIGHT = 190;
/** Narrow enough for a 400 px screen (the chart card's inner width there is ~330 px). */
const MIN_WIDTH = 240;

function fmt(digits: number) {
  return (_u: uPlot, v: number | null) => (v == null ? '–' : v.toFixed(digits));
}

function lineSeries(s: LineSpec): uPlot.Series {
  return {
    label: s.label,
    stroke: s.color,
    width: 2,
    dash: s.dash,
    spanGaps: false,
    points: { show: s.points ?? true, size: 5, fill: s.color },
    value: fmt(s.digits ?? 4),
  };
}

/**
 * The step axis runs from 0 to the task's step limit (`xMax`, when known), so an episode's curve
 * grows across a fixed axis instead of the axis stretching with every step.
 */
function baseOpts(width: number, xLabel: string, yLabel: string, xMax?: () => number | null): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    series: [{ label: xLabel, value: (_u, v) => (v == null ? '–' : String(v)) }],
    scales: { x: { time: false, range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(xMax?.() ?? 1, max ?? 1, 1)] } },
    axes: [
      { label: xLabel, labelSize: 18, size: 32, incrs: [1, 2, 5, 10, 20, 50], values: (_u, ticks) => ticks.map(String) },
      { label: yLabel, labelSize: 18, size: 56 },
    ],
    legend: { live: true },
    cursor: { points: { size: 7 } },
  };
}

/** Until the pointer hovers a step, the legend reads out the latest one instead of dashes. */
function showLatest(u: uPlot): void {
  const n = u.data[0]?.length ?? 0;
  if (n > 0) u.setLegend({ idx: n - 1 });
  // An empty plot says so (CSS shows a note) instead of looking broken.
  const host = u.root.parentElement;
  if (host) host.dataset.empty = String(n === 0);
}

/** Keeps a chart as wide as its container (laptop or wide screen alike). */
function autoWidth(el: HTMLElement, u: () => uPlot): () => void {
  const ro = new ResizeObserver(() => {
    // Hidden (display: none) charts measure 0; they are sized when shown.
    if (el.clientWidth === 0) return;
    const w = Math.max(MIN_WIDTH, Math.floor(el.clientWidth));
    if (Math.abs(w - u().width) > 1) u().setSize({ width: w, height: HEIGHT });
  });
  ro.observe(el);
  return () => ro.disconnect();
}

function wrap(el: HTMLElement, make: (specs: LineSpec[] | null, data: Series[], yLabel?: string) => uPlot, data: Series[]): Chart {
  let u = make(null, data);
  showLatest(u);
  const stop = autoWidth(el, () => u);
  return {
    get u() {
      return u;
    },
    setData(d) {
      u.setData(d as uPlot.AlignedData);
      showLatest(u);
    },
    setSeries(specs, d, yLabel) {
      u.destroy();
      u = make(specs, d, yLabel);
      // A freshly built plot settles its legend on the next frame; set ours after that.
      const fresh = u;
      requestAnimationFrame(() => showLatest(fresh));
    },
    destroy() {
      stop();
      u.destroy();
    },
  };
}

export interface LineOptions {
  xLabel: string;
  yLabel: string;
  series: LineSpec[];
  yRange?: [number, number];
  xMax?: () => number | null;
}

export function lineChart(el: HTMLElement, o: LineOptions): Chart {
  let yLabel = o.yLabel;
  const make = (specs: LineSpec[] | null, data: Series[], newLabel?: string) => {
    if (newLabel !== undefined) yLabel = newLabel;
    const opts = baseOpts(Math.max(MIN_WIDTH, el.clientWidth), o.xLabel, yLabel, o.xMax);
    opts.series.push(...(specs ?? o.series).map(lineSeries));
    if (o.yRange) {
      const [lo, hi] = o.yRange;
      // Fixed where the quantity has natural bounds, but never hiding an out-of-range point.
      opts.scales!.y = { range: (_u, min, max) => [Math.min(lo, min ?? lo), Math.max(hi, max ?? hi)] };
    }
    return new uPlot(opts, (data.length ? data : [[], ...(specs ?? o.series).map(() => [])]) as uPlot.AlignedData, el);
  };
  return wrap(el, make, []);
}

/** Makes the chart paint under its series, clipped to the plot area (the drawAxes hook), once it has data. */
function paintUnderSeries(opts: uPlot.Options, paint: (u: uPlot, ctx: CanvasRenderingContext2D, xs: readonly number[]) => void): void {
  opts.hooks = {
    drawAxes: [
      (u) => {
        const xs = u.data[0] ?? [];
        if (!xs.length) return;
        const ctx = u.ctx;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        paint(u, ctx, xs as number[]);
        ctx.restore();
      },
    ],
  };
}

/** A translucent band between two series of a chart's data (a confidence interval around a line). */
export interface Band {
  color: string;
  low: Series;
  high: Series;
}

/**
 * Lines over a free numeric x axis (labels bought, not steps), each optionally inside a band.
 * uPlot's own bands need the band edges as series (which the legend would list): these are
 * painted in the drawAxes hook instead, under the lines; `bands()` returns what is painted.
 */
export function bandChart(el: HTMLElement, o: { xLabel: string; yLabel: string }): Chart & { setBands(specs: LineSpec[], data: Series[], bands: (Band | null)[]): void; bands(): (Band | null)[] } {
  let bands: (Band | null)[] = [];
  const make = (specs: LineSpec[] | null, data: Series[]) => {
    const opts = baseOpts(Math.max(MIN_WIDTH, el.clientWidth), o.xLabel, o.yLabel);
    opts.series[0]!.value = (_u, v) => (v == null ? '–' : String(Math.round(v)));
    opts.series.push(...(specs ?? []).map(lineSeries));
    opts.scales!.x = { time: false, range: (_u, min, max) => [0, Math.max(1, max ?? 1)] };
    opts.axes![0] = { label: o.xLabel, labelSize: 18, size: 32, incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000], values: (_u, ticks) => ticks.map(String) };
    // The y range covers the bands too.
    opts.scales!.y = {
      range: (u, min, max) => {
        let lo = min ?? 0;
        let hi = max ?? 1;
        for (const b of bands) {
          for (const v of b?.low ?? []) if (v != null) lo = Math.min(lo, v);
          for (const v of b?.high ?? []) if (v != null) hi = Math.max(hi, v);
        }
        const pad = (hi - lo) * 0.05 || 0.05;
        return [lo - pad, hi + pad];
      },
    };
    paintUnderSeries(opts, (u, ctx, xs) => {
      ctx.globalAlpha = 0.16;
      bands.forEach((b, s) => {
        if (!b || !u.series[s + 1]?.show) return;
        // One polygon per run of points where both edges are known.
        let run: number[] = [];
        const flush = () => {
          if (run.length >= 2) {
            ctx.beginPath();
            run.forEach((i, k) => {
              const px = u.valToPos(xs[i]!, 'x', true);
              const py = u.valToPos(b.high[i]!, 'y', true);
              if (k === 0) ctx.moveTo(px, py);
              else ctx.lineTo(px, py);
            });
            for (let k = run.length - 1; k >= 0; k--) ctx.lineTo(u.valToPos(xs[run[k]!]!, 'x', true), u.valToPos(b.low[run[k]!]!, 'y', true));
            ctx.closePath();
            ctx.fillStyle = b.color;
            ctx.fill();
          }
          run = [];
        };
        for (let i = 0; i < xs.length; i++) {
          if (b.low[i] != null && b.high[i] != null) run.push(i);
          else flush();
        }
        flush();
      });
    });
    return new uPlot(opts, (data.length ? data : [[], ...(specs ?? []).map(() => [])]) as uPlot.AlignedData, el);
  };
  const chart = wrap(el, make, []);
  return Object.assign(chart, {
    setBands(specs: LineSpec[], data: Series[], b: (Band | null)[]) {
      bands = b;
      chart.setSeries(specs, data);
    },
    bands: () => bands,
  });
}

export interface StackTerm {
  key: string;
  label: string;
  color: string;
}

/**
 * Reward per step as a line, over bars of its signed terms stacked in two directions (positive
 * terms upwards from 0, negative ones downwards), so the bar's net height is the reward. uPlot
 * has no diverging stacks, so the bars are painted in the drawAxes hook (under the line); the
 * term series stay real series (paths disabled) for the legend, cursor readout and data access.
 * `setSeries(specs, data)` replaces the terms (a task family with other reward terms).
 */
export function stackedChart(
  el: HTMLElement,
  o: { xLabel: string; yLabel: string; total: LineSpec; terms: readonly StackTerm[]; xMax?: () => number | null },
): Chart {
  const make = (specs: LineSpec[] | null, data: Series[]) => {
    const terms: readonly { label: string; color: string }[] = specs ?? o.terms;
    const opts = baseOpts(Math.max(MIN_WIDTH, el.clientWidth), o.xLabel, o.yLabel, o.xMax);
    opts.series.push(lineSeries(o.total));
    for (const t of terms) {
      opts.series.push({ label: t.label, stroke: t.color, fill: t.color, paths: () => null, points: { show: false }, value: fmt(4) });
    }
    const firstTerm = 2;
    // Half a step of room on both sides, so the first and last bars are not cut in half.
    opts.scales!.x = {
      time: false,
      range: (_u, min, max) => [Math.min(min ?? 1, 1) - 0.5, Math.max(o.xMax?.() ?? 1, max ?? 1, 1) + 0.5],
    };
    opts.scales!.y = {
      range: (u) => {
        let lo = 0;
        let hi = 0;
        const xs = u.data[0] ?? [];
        for (let i = 0; i < xs.length; i++) {
          let pos = 0;
          let neg = 0;
          for (let s = firstTerm; s < u.series.length; s++) {
            const v = u.data[s]?.[i];
            if (v == null || !u.series[s]!.show) continue;
            if (v >= 0) pos += v;
            else neg += v;
          }
          const r = u.data[1]?.[i];
          lo = Math.min(lo, neg, r ?? 0);
          hi = Math.max(hi, pos, r ?? 0);
        }
        const pad = (hi - lo) * 0.06 || 0.5;
        return [lo - pad, hi + pad];
      },
    };
    paintUnderSeries(opts, (u, ctx, xs) => {
      const { left, width } = u.bbox;
      // One step of the axis (which spans the whole step limit), not the gap between the points so far.
      const step = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
      const bw = Math.max(3, Math.min(48, step * 0.6));
      for (let i = 0; i < xs.length; i++) {
        const cx = u.valToPos(xs[i]!, 'x', true);
        let pos = 0;
        let neg = 0;
        for (let s = firstTerm; s < u.series.length; s++) {
          const v = u.data[s]?.[i];
          if (v == null || v === 0 || !u.series[s]!.show) continue;
          const base = v > 0 ? pos : neg;
          const y0 = u.valToPos(base, 'y', true);
          const y1 = u.valToPos(base + v, 'y', true);
          ctx.fillStyle = terms[s - firstTerm]!.color;
          ctx.globalAlpha = 0.75;
          ctx.fillRect(cx - bw / 2, Math.min(y0, y1), bw, Math.max(1, Math.abs(y1 - y0)));
          if (v > 0) pos += v;
          else neg += v;
        }
      }
      // The zero line makes the up/down split readable.
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#555';
      ctx.lineWidth = 1;
      const y0 = Math.round(u.valToPos(0, 'y', true)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y0);
      ctx.lineTo(left + width, y0);
      ctx.stroke();
    });
    const empty = [[], [], ...terms.map(() => [])];
    return new uPlot(opts, (data.length ? data : empty) as uPlot.AlignedData, el);
  };
  return wrap(el, make, []);
}
