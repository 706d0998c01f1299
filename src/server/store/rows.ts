/**
 * The `episodes` table's rows, shared by the SQLite and PostgreSQL backends: both keep the same
 * columns (observations, noise ratios and grade data as JSON text), so one mapper turns a row into
 * the store interface's values. node:sqlite returns INTEGER columns as numbers; pg returns BIGINT
 * columns as strings (exact beyond 2^53), read here with `num`.
 */
import type { EpisodeFinish, EpisodeLog, EpisodeStart, EpisodeSummary, EpisodeTransport, RetentionPolicy, StepRecord } from './types.ts';

/** A row of `episodes`; `N` is how the driver returns BIGINT columns. */
export interface EpisodeRow<N extends number | string = number | string> {
  seq: N;
  episode_id: string;
  task_id: string;
  seed: N;
  label: string | null;
  transport: string;
  owner_key?: string | null;
  created_ms: N;
  initial_observation: string;
  finished_ms: N | null;
  step_count: number | null;
  final_observation: string | null;
  noise_ratios: string | null;
  /** Curation episodes: the grade's hidden inputs (JSON), written at the finish. */
  grade_data?: string | null;
  /** Last write of the episode (LAST_MS), when the query selects it. */
  last_ms?: N | null;
}

/** The columns a summary needs. */
export const SUMMARY_COLUMNS = 'seq, episode_id, task_id, seed, label, owner_key, step_count, finished_ms, final_observation, noise_ratios, grade_data';
/** Last write of an episode `e`: its latest step, or its reset. */
export const LAST_MS = '(SELECT COALESCE(MAX(s.created_ms), e.created_ms) FROM steps s WHERE s.episode_id = e.episode_id)';

export const num = (v: string | number): number => (typeof v === 'number' ? v : Number(v));

/** A new episode's values in the columns' order: episode_id, task_id, seed, label, transport, created_ms, initial_observation, owner_key. */
export function startValues(ep: EpisodeStart): [string, string, number, string | null, string, number, string, string | null] {
  return [ep.episode_id, ep.task_id, ep.seed, ep.label, ep.transport, ep.created_ms, JSON.stringify(ep.initial_observation), ep.owner_key ?? null];
}

/** The finish's values in the UPDATE's order: finished_ms, step_count, final_observation, noise_ratios, grade_data, then the episode_id it matches. */
export function finishValues(episodeId: string, stepCount: number, finish: EpisodeFinish): [number, number, string, string, string | null, string] {
  return [
    finish.finished_ms,
    stepCount,
    JSON.stringify(finish.final_observation),
    JSON.stringify(finish.noise_ratios),
    finish.grade_data ? JSON.stringify(finish.grade_data) : null,
    episodeId,
  ];
}

/** Age cutoff of finished rows in epoch ms, or null without an age limit. */
export function finishedCutoff(retention: RetentionPolicy, nowMs: number): number | null {
  return retention.maxAgeS > 0 ? nowMs - retention.maxAgeS * 1000 : null;
}

/** Idle cutoff of unfinished rows in epoch ms, or null when they are kept however idle. */
export function unfinishedCutoff(retention: RetentionPolicy, nowMs: number): number | null {
  return retention.unfinishedIdleS > 0 ? nowMs - retention.unfinishedIdleS * 1000 : null;
}

/** True when retention has evicted the row in effect, whether or not prune deleted it yet. */
export function expired(row: EpisodeRow, retention: RetentionPolicy, nowMs: number): boolean {
  if (row.finished_ms !== null) {
    const cutoff = finishedCutoff(retention, nowMs);
    return cutoff !== null && num(row.finished_ms) < cutoff;
  }
  const cutoff = unfinishedCutoff(retention, nowMs);
  return cutoff !== null && num(row.last_ms ?? row.created_ms) < cutoff;
}

/** The finish of a finished row (null for an unfinished one). */
function finishOf(row: EpisodeRow): EpisodeFinish | null {
  if (row.finished_ms === null) return null;
  return {
    finished_ms: num(row.finished_ms),
    final_observation: JSON.parse(row.final_observation!),
    noise_ratios: JSON.parse(row.noise_ratios!),
    // Only curation episodes carry grade data; classic rows read exactly as before.
    ...(row.grade_data ? { grade_data: JSON.parse(row.grade_data) } : {}),
  };
}

/** A finished episode's summary (the row must be finished). */
export function toSummary(row: EpisodeRow): EpisodeSummary {
  const { finished_ms, ...finish } = finishOf(row)!;
  return {
    episode_id: row.episode_id,
    task_id: row.task_id,
    seed: num(row.seed),
    label: row.label,
    owner_key: row.owner_key ?? null,
    step_count: row.step_count!,
    finished_ms,
    ...finish,
  };
}

/** Any kept episode's log, with its steps in order. */
export function toLog(row: EpisodeRow, steps: StepRecord[]): EpisodeLog {
  return {
    episode_id: row.episode_id,
    task_id: row.task_id,
    seed: num(row.seed),
    label: row.label,
    transport: row.transport as EpisodeTransport,
    owner_key: row.owner_key ?? null,
    created_ms: num(row.created_ms),
    initial_observation: JSON.parse(row.initial_observation),
    last_active_ms: num(row.last_ms ?? row.created_ms),
    finish: finishOf(row),
    steps,
  };
}
