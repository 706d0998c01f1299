/**
 * The original's HTTP API, as a superset (docs/protocol.md §4.6–§4.11): /reset, /step, /state,
 * /tasks, /grader, /baseline. Handlers only translate: bodies in, EnvService calls, replies out.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EnvError, invalidRequest } from '../../env/errors.ts';
import { runBaseline } from '../../env/baseline.ts';
import { parseAction } from '../../env/schemas.ts';
import { NO_BODY, readJsonBody } from '../body.ts';
import { episodeMetadata, type EnvService } from '../core.ts';
import { httpStepReply } from '../../protocol/replies.ts';
import { isPlainObject, parseEpisodeIdField, parseResetRequest, prefixLoc } from '../../protocol/requests.ts';

export interface RouteOptions {
  service: EnvService;
}

/** Runs a field parser and prefixes the locations of its problems with `prefix`. */
function within<T>(prefix: (string | number)[], parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw e instanceof EnvError ? prefixLoc(e, prefix) : e;
  }
}

function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === NO_BODY) {
    throw invalidRequest([{ loc: ['body'], msg: `a JSON object body is required (${what})`, type: 'missing' }]);
  }
  if (!isPlainObject(body)) {
    throw invalidRequest([{ loc: ['body'], msg: 'the body must be a JSON object', type: 'model_type' }]);
  }
  return body;
}

/** A query parameter as one string; repeated parameters keep the last; empty = absent. */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const q = request.query as Record<string, string | string[] | undefined>;
  const raw = q?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The optional `step` of a /step body: the number this step will have (the reply's `step`), which
 * makes a retry idempotent (see EnvService.step).
 */
function parseStepNumber(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 1_000_000) {
    throw invalidRequest([{ loc: ['body', 'step'], msg: 'step must be an integer from 1 (the number this step will have)', type: 'int_type' }]);
  }
  return raw;
}

export async function envRoutes(app: FastifyInstance, { service }: RouteOptions): Promise<void> {
  app.post('/reset', async (request) => {
    const body = readJsonBody(request);
    const req = within(['body'], () => parseResetRequest(body === NO_BODY ? null : body));
    return (await service.reset(req, { kind: 'http' }, true)).body;
  });

  app.post('/step', async (request) => {
    const body = requireObject(readJsonBody(request), '{"action": {...}, "episode_id"?: "..."}');
    if (!('action' in body)) {
      throw invalidRequest([{ loc: ['body', 'action'], msg: 'Field required', type: 'missing' }]);
    }
    const episodeId = within(['body'], () => parseEpisodeIdField(body.episode_id));
    const action = within(['body', 'action'], () => parseAction(body.action));
    const expectedStep = parseStepNumber(body.step);
    let episode;
    try {
      episode =
        episodeId === null
          ? await service.resolveForStep(service.sessions.mostRecentHttp, { implicit: true })
          : await service.resolveForStep(episodeId);
    } catch (e) {
      // The retry of an episode's last step finds it finished: answer it from the log.
      if (expectedStep !== undefined && episodeId !== null && e instanceof EnvError && e.reason === 'episode_over') {
        const retried = await service.retriedFinished(episodeId, action, expectedStep);
        return httpStepReply(episodeId, retried.result, episodeMetadata(retried.episode, retried.result));
      }
      throw e;
    }
    const r = await service.step(episode, action, { expectedStep });
    return httpStepReply(episode.id, r, episodeMetadata(episode, r));
  });

  app.get('/state', async (request) => {
    const id = queryValue(request, 'episode_id');
    return id === undefined ? service.stateOfMostRecent() : service.stateById(id);
  });

  app.get('/tasks', async () => service.tasks());

  app.post('/grader', async (request) => {
    const body = requireObject(readJsonBody(request), '{"episode_id": "...", "task_id": "..."}');
    const issues = [];
    for (const field of ['episode_id', 'task_id'] as const) {
      const v = body[field];
      if (v === undefined || v === null) issues.push({ loc: ['body', field], msg: 'Field required', type: 'missing' });
      else if (typeof v !== 'string') issues.push({ loc: ['body', field], msg: 'Input should be a valid string', type: 'string_type' });
    }
    if (issues.length > 0) throw invalidRequest(issues);
    return service.grade(body.episode_id as string, body.task_id as string);
  });

  app.get('/baseline', async () => runBaseline());
}
