/**
 * What the console says about episodes, as pure functions of the API's data (no DOM): why an
 * episode ended, its return, a task's step limit, how a grade's breakdown value reads, and the
 * grouped statistics of stored episodes. The browser tests and test/web/summary.test.ts check them.
 */
import { aubcSummary, type AubcSummary } from '../../src/eval/aubc.ts';
import { meanConfidenceInterval } from '../../src/eval/stats.ts';
import type { LearningCurve } from '../../src/env/metrics/aubc.ts';
import { count, num, signed } from './numbers.ts';

export type EndReason = 'stop' | 'budget' | 'pool' | 'steps';

export interface EpisodeEnd {
  reason: EndReason;
  /** The environment's two ways of ending (docs/protocol.md §2.4): terminated by the episode's own state, truncated by the step limit. */
  terminated: boolean;
  truncated: boolean;
}

/**
 * Why a finished episode ended, from its last accepted step — the rule the environment applies
 * (BEHAVIOUR S19, CURATION §4): a stop, the budget spent or the pool emptied terminate; otherwise
 * the step limit truncates. A stored episode keeps only `done`, so both live and stored episodes
 * are read this way.
 */
export function episodeEnd(last: { action_type: string; remaining_budget: number; samples_available: number }): EpisodeEnd {
  if (last.action_type === 'stop') return { reason: 'stop', terminated: true, truncated: false };
  if (last.remaining_budget <= 0) return { reason: 'budget', terminated: true, truncated: false };
  if (last.samples_available <= 0) return { reason: 'pool', terminated: true, truncated: false };
  return { reason: 'steps', terminated: false, truncated: true };
}

/** The end reason in two words (tables, status line). */
export const END_WORDS: Readonly<Record<EndReason, string>> = { stop: 'stopped', budget: 'budget spent', pool: 'pool empty', steps: 'step limit' };

export function endText(end: EpisodeEnd, steps: number, maxSteps: number | null): string {
  const of = maxSteps ? ` of ${maxSteps}` : '';
  switch (end.reason) {
    case 'stop':
      return `Stopped by the agent at step ${steps}${of} (terminated).`;
    case 'budget':
      return `Budget spent at step ${steps}${of} (terminated).`;
    case 'pool':
      return `Pool emptied at step ${steps}${of} (terminated).`;
    case 'steps':
      return `Step limit reached: ${steps}${of} steps (truncated).`;
  }
}

/** The undiscounted return: rewards summed in step order. */
export function totalReturn(rewards: readonly number[]): number {
  let s = 0;
  for (const r of rewards) s += r;
  return s;
}

export interface TaskLimits {
  maxSteps: number | null;
  budget: number | null;
}

/**
 * A task's step limit and budget: the fields when the server lists them, else the numbers its
 * registry-generated description states ("budget=300, max_steps=15"); unknown → null, never a guess.
 */
export function taskLimits(t: { description: string; max_steps?: number; budget?: number } | undefined): TaskLimits {
  if (!t) return { maxSteps: null, budget: null };
  const read = (field: number | undefined, key: string): number | null => {
    if (typeof field === 'number' && Number.isInteger(field) && field > 0) return field;
    const m = new RegExp(`\\b${key}\\s*=\\s*([0-9]+)`).exec(t.description);
    return m ? Number(m[1]) : null;
  };
  return { maxSteps: read(t.max_steps, 'max_steps'), budget: read(t.budget, 'budget') };
}

/** Breakdown keys that count things; every other number is a real value shown with 4 decimals. */
const COUNT_KEYS = new Set(['budget_used', 'steps', 'step_count', 'labelled']);
/** Breakdown keys that may be negative and read best with a sign. */
const SIGNED_KEYS = new Set(['normalised', 'normalized']);

export function breakdownValue(key: string, v: unknown): string {
  if (typeof v === 'number') {
    if (COUNT_KEYS.has(key)) return count(v);
    if (SIGNED_KEYS.has(key)) return signed(v);
    return num(v);
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v == null ? '–' : JSON.stringify(v);
}

/** Breakdown keys whose plain spelling would misread (acronyms). */
const BREAKDOWN_LABELS: Readonly<Record<string, string>> = { aubc: 'AUBC (area under the budget curve)' };

export function breakdownLabel(key: string): string {
  if (Object.hasOwn(BREAKDOWN_LABELS, key)) return BREAKDOWN_LABELS[key]!;
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The area under the budget curve of a graded episode, when its grade reports one (a number
 * `aubc` in the breakdown, issue 15); null for tasks whose grade has none (the classic tasks).
 */
export function aubcOf(g: { breakdown: Readonly<Record<string, number | string>> }): number | null {
  const v = g.breakdown.aubc;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface GroupInput {
  label: string | null;
  task_id: string;
  score: number;
  passed: boolean;
  step_count: number;
  /** Held-out graded episodes (curation, data-set): the grade's AUBC and learning curve. */
  aubc?: number;
  learning_curve?: LearningCurve;
}

export interface EpisodeGroup {
  label: string;
  task_id: string;
  episodes: number;
  meanScore: number;
  /** 95 % Student-t half-width of the mean score; null below two episodes. */
  halfWidth: number | null;
  passRate: number;
  meanSteps: number;
  /** Mean AUBC ± 95 % CI exactly as `eval` reports it (src/eval/aubc.ts); null when no episode has one. */
  aubc: AubcSummary | null;
  /** The episodes' learning curves, oldest first (empty for tasks without one). */
  curves: LearningCurve[];
}

/**
 * Stored episodes grouped by label (a policy or run name) and task, newest group first. `episodes`
 * is the store's list, newest first; the sums run oldest first — the order an `eval` run played
 * them — so a sequential run's mean and interval come out exactly as `eval` printed them.
 */
export function groupEpisodes(episodes: readonly GroupInput[]): EpisodeGroup[] {
  type Acc = { label: string; task_id: string; scores: number[]; passed: number; steps: number; aubcs: { breakdown: { aubc?: number } }[]; curves: LearningCurve[] };
  const groups = new Map<string, Acc>();
  const keyOf = (e: GroupInput) => JSON.stringify([e.label ?? '(unlabelled)', e.task_id]);
  // Groups in the order of their newest episode.
  for (const e of episodes) {
    const key = keyOf(e);
    if (!groups.has(key)) groups.set(key, { label: e.label ?? '(unlabelled)', task_id: e.task_id, scores: [], passed: 0, steps: 0, aubcs: [], curves: [] });
  }
  for (let i = episodes.length - 1; i >= 0; i--) {
    const e = episodes[i]!;
    const g = groups.get(keyOf(e))!;
    g.scores.push(e.score);
    if (e.passed) g.passed++;
    g.steps += e.step_count;
    g.aubcs.push({ breakdown: { aubc: e.aubc } });
    if (e.learning_curve) g.curves.push(e.learning_curve);
  }
  return [...groups.values()].map((g) => {
    const ci = meanConfidenceInterval(g.scores);
    return {
      label: g.label,
      task_id: g.task_id,
      episodes: g.scores.length,
      meanScore: ci.mean,
      halfWidth: ci.halfWidth,
      passRate: g.passed / g.scores.length,
      meanSteps: g.steps / g.scores.length,
      aubc: aubcSummary(g.aubcs),
      curves: g.curves,
    };
  });
}

/**
 * A learning curve's test accuracy after `b` labels, read the way AUBC reads it
 * (src/env/metrics/aubc.ts): linear between the measured points, held at the last accuracy after
 * the last point. Where two points share a budget (nothing bought between them) the later counts.
 */
export function curveAt(c: LearningCurve, b: number): number {
  const xs = c.budget_used;
  const ys = c.test_accuracy;
  let j = 0;
  while (j + 1 < xs.length && xs[j + 1]! <= b) j++;
  if (j + 1 >= xs.length || b <= xs[j]!) return ys[j]!;
  const lo = xs[j]!;
  const hi = xs[j + 1]!;
  return ys[j]! + ((ys[j + 1]! - ys[j]!) * (b - lo)) / (hi - lo);
}

/** Every budget at which some curve has a point, up to `budget`, and `budget` itself; ascending. */
export function curveGrid(curves: readonly LearningCurve[], budget: number): number[] {
  const xs = new Set<number>([0, budget]);
  for (const c of curves) for (const b of c.budget_used) if (b <= budget) xs.add(b);
  return [...xs].sort((a, b) => a - b);
}

export interface MeanCurve {
  /** Labels bought. */
  x: number[];
  /** Mean test accuracy of the group's episodes at each x, with its 95 % Student-t interval (null below two episodes). */
  mean: number[];
  low: (number | null)[];
  high: (number | null)[];
}

/**
 * The mean learning curve of a group over `x` (default: the group's own grid up to `budget`, where
 * the mean of piecewise-linear curves is itself exact between the points, so its area over
 * [0, budget] is the group's mean AUBC), with a pointwise 95 % confidence band.
 */
export function meanCurve(curves: readonly LearningCurve[], budget: number, x: readonly number[] = curveGrid(curves, budget)): MeanCurve {
  const out: MeanCurve = { x: [...x], mean: [], low: [], high: [] };
  for (const b of x) {
    const ci = meanConfidenceInterval(curves.map((c) => curveAt(c, b)));
    out.mean.push(ci.mean);
    out.low.push(ci.low);
    out.high.push(ci.high);
  }
  return out;
}
