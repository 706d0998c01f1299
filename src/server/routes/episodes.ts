/** Episode history (docs/protocol.md §4.13, §4.14): finished episodes from the store, newest first. */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EXPORT_FORMATS, exportEpisodes, exportLine, parseTime, type ExportFilter, type ExportFormat } from '../export.ts';
import { unknownTask } from '../../env/errors.ts';
import { fromEnvError, invalidRequest } from '../../protocol/errors.ts';
import { TASK_IDS, getTask } from '../../env/tasks.ts';
import { episodeRecordReply, episodeSummaryReply } from '../../protocol/replies.ts';
import { encodeCursor, type EpisodesQuery } from '../../protocol/requests.ts';
import { ROUTE_SCHEMAS } from '../../protocol/routes.ts';
import { gradeBody, type EnvService } from '../core.ts';
import type { RouteOptions } from './env.ts';

/** A query parameter as one string; repeated parameters keep the last; empty = absent. */
function queryValue(request: FastifyRequest, name: string): string | undefined {
  // The validated query of an export keeps the query as sent in `raw` (its filters are its own).
  const parsed = request.query as { raw?: unknown };
  const q = (parsed?.raw ?? parsed) as Record<string, string | string[] | undefined>;
  const raw = q?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === undefined || value === '' ? undefined : value;
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
    if (!getTask(taskId)) throw fromEnvError(unknownTask(taskId, TASK_IDS));
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
  app.get('/episodes', { schema: ROUTE_SCHEMAS['GET /episodes'] }, async (request, reply) => {
    const { task_id, limit, before, format } = request.query as EpisodesQuery;
    if (format !== undefined) return streamExport(request, reply, service, format);
    const page = await service.listEpisodes({ task_id, limit, before }, request.principal);
    return {
      episodes: page.episodes.map((e) => episodeSummaryReply(e, gradeBody(e))),
      next_before: page.next ? encodeCursor(page.next) : null,
    };
  });

  app.get('/episodes/:id', { schema: ROUTE_SCHEMAS['GET /episodes/:id'] }, async (request) => {
    const { id } = request.params as { id: string };
    const e = await service.completedEpisode(id, request.principal);
    return episodeRecordReply(e, gradeBody(e));
  });
}
