/** Episode history (docs/protocol.md §4.13, §4.14): finished episodes from the store, newest first. */
import type { FastifyInstance } from 'fastify';
import { invalidRequest, unknownTask } from '../../env/errors.ts';
import { TASK_IDS, getTask } from '../../env/tasks.ts';
import { gradeBody } from '../core.ts';
import type { EpisodeSummary } from '../store/types.ts';
import type { RouteOptions } from './env.ts';
import { queryValue } from './env.ts';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** `next_before` is opaque to clients; inside it is "finished_ms.seq" of the page's last row. */
function encodeCursor(c: { finished_ms: number; seq: number }): string {
  return `${c.finished_ms}.${c.seq}`;
}

function decodeCursor(value: string): { finished_ms: number; seq: number } {
  const m = /^([0-9]{1,15})\.([0-9]{1,15})$/.exec(value);
  if (!m) {
    throw invalidRequest([
      { loc: ['query', 'before'], msg: 'before must be the next_before value of a previous page', type: 'value_error' },
    ]);
  }
  return { finished_ms: Number(m[1]), seq: Number(m[2]) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The fields §4.13's list and §4.14's detail share. */
function episodeHeader(e: EpisodeSummary) {
  return {
    episode_id: e.episode_id,
    task_id: e.task_id,
    seed: e.seed,
    label: e.label,
    step_count: e.step_count,
    finished_at: iso(e.finished_ms),
  };
}

export async function episodeRoutes(app: FastifyInstance, { service }: RouteOptions): Promise<void> {
  app.get('/episodes', async (request) => {
    const taskId = queryValue(request, 'task_id');
    const limitText = queryValue(request, 'limit');
    const beforeText = queryValue(request, 'before');
    let limit = DEFAULT_PAGE;
    if (limitText !== undefined) {
      limit = /^[0-9]{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
      if (!(limit >= 1 && limit <= MAX_PAGE)) {
        throw invalidRequest([
          { loc: ['query', 'limit'], msg: `limit must be an integer from 1 to ${MAX_PAGE}`, type: 'int_parsing' },
        ]);
      }
    }
    const before = beforeText === undefined ? undefined : decodeCursor(beforeText);
    if (taskId !== undefined && !getTask(taskId)) throw unknownTask(taskId, TASK_IDS);
    const page = await service.listEpisodes({ task_id: taskId, limit, before });
    return {
      episodes: page.episodes.map((e) => {
        const g = gradeBody(e);
        return { ...episodeHeader(e), score: g.score, passed: g.passed };
      }),
      next_before: page.next ? encodeCursor(page.next) : null,
    };
  });

  app.get('/episodes/:id', async (request) => {
    const { id } = request.params as { id: string };
    const e = await service.completedEpisode(id);
    return {
      ...episodeHeader(e),
      initial_observation: e.initial_observation,
      steps: e.steps,
      grade: gradeBody(e),
    };
  });
}
