/**
 * Episode export as JSON Lines: one finished episode per line, read from the store page by page
 * so memory stays constant whatever the store holds. Two shapes:
 * - `jsonl`: the episode as stored — task, seed, its Task API split/index, label, every step's
 *   action, observation, reward and reward terms, the return and the grade;
 * - `openenv`: the row shape of OpenEnv's `results.jsonl` (openenv collect: episode_id, messages,
 *   reward, done, tool_trace, metrics, verify_metrics, artifacts, task, extra). The store keeps
 *   observations and actions, not an LLM's text, so `messages` is the transcript rebuilt from
 *   them (observation as the user turn, action as the assistant turn) and `tool_trace` the
 *   take_action calls; `reward` is the environment's last reward, as OpenEnv's `_resolve_env_reward`
 *   reads it from the tool trace (the last result that carries one), so a consumer's check of
 *   "reward = the env's reward" holds; the episode's return and the grade are in `metrics`.
 */
import { grade } from '../env/grader.ts';
import { locate } from '../env/splits.ts';
import { getTask } from '../env/tasks.ts';
import type { CompletedEpisode, Cursor, EpisodeStore, EpisodeSummary } from './store/types.ts';

export const EXPORT_FORMATS = ['jsonl', 'openenv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFilter {
  task_id?: string;
  label?: string;
  /** Finished at or after (epoch ms). */
  sinceMs?: number;
  /** Finished before (epoch ms). */
  untilMs?: number;
  /** At most this many episodes. */
  limit?: number;
}

const PAGE = 200;

/** The summaries that pass the filter, newest first, one store page at a time. */
export async function* matchingSummaries(store: EpisodeStore, filter: ExportFilter): AsyncGenerator<EpisodeSummary> {
  let before: Cursor | undefined;
  let emitted = 0;
  for (;;) {
    const page = await store.list({ task_id: filter.task_id, limit: PAGE, before });
    for (const s of page.episodes) {
      // Newest first: once past `since`, nothing older can match.
      if (filter.sinceMs !== undefined && s.finished_ms < filter.sinceMs) return;
      if (filter.untilMs !== undefined && s.finished_ms >= filter.untilMs) continue;
      if (filter.label !== undefined && s.label !== filter.label) continue;
      yield s;
      if (filter.limit !== undefined && ++emitted >= filter.limit) return;
    }
    if (!page.next) return;
    before = page.next;
  }
}

/** Finished episodes with their steps, newest first (one episode in memory at a time). */
export async function* exportEpisodes(store: EpisodeStore, filter: ExportFilter = {}): AsyncGenerator<CompletedEpisode> {
  for await (const s of matchingSummaries(store, filter)) {
    const e = await store.getCompleted(s.episode_id);
    if (e) yield e; // evicted between the page and now: skipped
  }
}

function gradeOf(e: CompletedEpisode) {
  const task = getTask(e.task_id);
  if (!task) return null;
  const g = grade(task, { task_id: e.task_id, final_observation: e.final_observation, noise_ratios: e.noise_ratios, grade_data: e.grade_data ?? null });
  return { task_id: g.task_id, score: g.score, passed: g.passed, breakdown: g.breakdown };
}

function episodeReturn(e: CompletedEpisode): number {
  let total = 0;
  for (const s of e.steps) total += s.reward;
  return total;
}

/** The `jsonl` record of an episode. */
export function episodeRecord(e: CompletedEpisode) {
  const where = locate(e.task_id, e.seed);
  return {
    episode_id: e.episode_id,
    task_id: e.task_id,
    seed: e.seed,
    split: where?.split ?? null,
    index: where?.index ?? null,
    label: e.label,
    finished_at: new Date(e.finished_ms).toISOString(),
    step_count: e.step_count,
    initial_observation: e.initial_observation,
    steps: e.steps.map((s) => ({ t: s.t, action: s.action, observation: s.observation, reward: s.reward, terms: s.terms, done: s.done })),
    return: episodeReturn(e),
    grade: gradeOf(e),
  };
}

/** The `openenv` record: one row of OpenEnv's results.jsonl. */
export function openenvRecord(e: CompletedEpisode) {
  const g = gradeOf(e);
  const messages: { role: string; content: string }[] = [
    { role: 'user', content: JSON.stringify({ task_id: e.task_id, observation: e.initial_observation }) },
  ];
  const toolTrace = [];
  for (const s of e.steps) {
    messages.push({ role: 'assistant', content: JSON.stringify(s.action) });
    messages.push({ role: 'user', content: JSON.stringify({ observation: s.observation, reward: s.reward, done: s.done }) });
    toolTrace.push({
      tool_name: 'take_action',
      arguments: s.action,
      result: { data: { step: s.t, observation: s.observation, reward: s.reward, done: s.done }, done: s.done, metadata: { reward_terms: s.terms }, error: null },
    });
  }
  const where = locate(e.task_id, e.seed);
  return {
    episode_id: e.episode_id,
    messages,
    reward: e.steps.at(-1)?.reward ?? 0,
    done: true,
    tool_trace: toolTrace,
    metrics: { steps: e.step_count, return: episodeReturn(e), score: g?.score ?? null, passed: g?.passed ?? null, ...(g?.breakdown ?? {}) },
    verify_metrics: {},
    artifacts: {},
    task: { task_id: e.task_id, seed: e.seed, split: where?.split ?? null, index: where?.index ?? null },
    extra: { label: e.label, finished_at: new Date(e.finished_ms).toISOString() },
  };
}

export function exportLine(e: CompletedEpisode, format: ExportFormat): string {
  return `${JSON.stringify(format === 'openenv' ? openenvRecord(e) : episodeRecord(e))}\n`;
}

/** `2026-01-31`, `2026-01-31T12:00:00Z` or epoch milliseconds → epoch ms (null when unreadable). */
export function parseTime(text: string): number | null {
  if (/^[0-9]{1,15}$/.test(text)) return Number(text);
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
