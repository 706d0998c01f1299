/** Episode history (docs/protocol.md §4.13, §4.14): finished episodes from the store, newest first. */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EXPORT_FORMATS, exportEpisodes, exportLine, parseTime, type ExportFilter, type ExportFormat } from '../../export/episodes.ts';
import { invalidRequest, unknownTask } from '../../env/errors.ts';
import { TASK_IDS, getTask } from '../../env/tasks.ts';
import { gradeBody, type EnvService } from '../core.ts';
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

/**
 * `GET /episodes?format=jsonl|openenv`: every matching finished episode as JSON Lines, streamed
 * (one episode in memory at a time). Filters: task_id, label, since, until (ISO 8601 or epoch
 * ms; since inclusive, until exclusive), limit (any positive integer). Newest first.
 */
async function streamExport(request: FastifyRequest, reply: FastifyReply, service: EnvService, format: string) {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw invalidRequest([{ loc: ['query', 'format'], msg: `format must be one of: json, ${EXPORT_FORMATS.join(', ')}`, type: 'enum' }]);
  }
  const filter: ExportFilter = {};
  const taskId = queryValue(request, 'task_id');
  if (taskId !== undefined) {
    if (!getTask(taskId)) throw unknownTask(taskId, TASK_IDS);
    filter.task_id = taskId;
  }
  const label = queryValue(request, 'label');
  if (label !== undefined) filter.label = label;
  for (const [name, key] of [['since', 'sinceMs'], ['until', 'untilMs']] as const) {
    const text = queryValue(request, name);
    if (text === undefined) continue;
    const ms = parseTime(text);
    if (ms === null) throw invalidRequest([{ loc: ['query', name], msg: `${name} must be an ISO 8601 date/time or epoch milliseconds`, type: 'datetime_parsing' }]);
    filter[key] = ms;
  }
  const limitText = queryValue(request, 'limit');
  if (limitText !== undefined) {
    if (!/^[1-9][0-9]{0,14}$/.test(limitText)) throw invalidRequest([{ loc: ['query', 'limit'], msg: 'limit must be a positive integer', type: 'int_parsing' }]);
    filter.limit = Number(limitText);
  }
  const lines = async function* () {
    try {
      for await (const e of exportEpisodes(service.store, filter)) yield exportLine(e, format as ExportFormat);
    } catch (err) {
      // The status line is gone: end the stream early (a short file) and log why.
      request.log.error({ err }, 'episode export failed mid-stream');
    }
  };
  return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines()));
}

export async function episodeRoutes(app: FastifyInstance, { service }: RouteOptions): Promise<void> {
  app.get('/episodes', async (request, reply) => {
    const format = queryValue(request, 'format');
    if (format !== undefined && format !== 'json') return streamExport(request, reply, service, format);
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
