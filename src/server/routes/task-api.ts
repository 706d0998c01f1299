/**
 * OpenEnv's Task API (docs/source/guides/task-api.md): discovery of the splits and their (task,
 * seed) entries, never an episode. `/list_environments` plus five routes under `/{env_name}/`,
 * where env_name is `dataselectenv` (matched case-insensitively, anything else → 404). Out-of-range
 * indices → 400 as the guide says; every method is implemented, so its 501 never arises here.
 * Request and reply schemas: src/protocol/wire.ts (Task API section).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, invalidRequest } from '../../protocol/errors.ts';
import {
  LIST_PREVIEW,
  SPLITS,
  getSplit,
  numTasks,
  taskAt,
  taskRange,
  type SplitSpec,
} from '../../env/splits.ts';
import { NO_BODY, readJsonBody } from '../body.ts';
import { isPlainObject } from '../../protocol/requests.ts';
import { ROUTE_SCHEMAS } from '../../protocol/routes.ts';
import type { SplitInfo, TaskListReply } from '../../protocol/wire.ts';

/** The Task API namespace (OpenEnv's `env_name`): stable, independent of display names. */
export const TASK_ENV_NAME = 'dataselectenv';

function checkEnvName(request: FastifyRequest): void {
  const { env_name } = request.params as { env_name: string };
  if (env_name.toLowerCase() !== TASK_ENV_NAME) {
    throw new ApiError('NOT_FOUND', 'unknown_environment', `Unknown environment '${env_name}' (this server serves '${TASK_ENV_NAME}').`);
  }
}

function body(request: FastifyRequest): Record<string, unknown> {
  const b = readJsonBody(request);
  if (b === NO_BODY || !isPlainObject(b)) {
    throw invalidRequest([{ loc: ['body'], msg: 'a JSON object body is required, e.g. {"split": "test"}', type: 'model_type' }]);
  }
  return b;
}

function splitField(b: Record<string, unknown>): SplitSpec {
  if (typeof b.split !== 'string') {
    throw invalidRequest([{ loc: ['body', 'split'], msg: 'split is required (a string)', type: b.split === undefined ? 'missing' : 'string_type' }]);
  }
  return getSplit(b.split);
}

/** An integer field (null/absent allowed when `optional`); floats, strings and booleans are 422. */
function intField(b: Record<string, unknown>, name: string, optional: boolean): number | null {
  const v = b[name];
  if (v === undefined || v === null) {
    if (optional) return null;
    throw invalidRequest([{ loc: ['body', name], msg: 'Field required', type: 'missing' }]);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw invalidRequest([{ loc: ['body', name], msg: `${name} must be an integer`, type: 'int_type' }]);
  }
  return v;
}

/** The `/splits` entry: OpenEnv's `{name, type}` plus what a trainer needs to shard. */
export function describeSplit(s: SplitSpec): SplitInfo {
  return {
    name: s.name,
    type: s.type,
    family: s.family,
    tasks: [...s.tasks],
    seeds: { start: s.seedStart, stop: s.seedStart + s.seedCount },
    num_tasks: numTasks(s),
    description: s.description,
  };
}

export async function taskApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/list_environments', { schema: ROUTE_SCHEMAS['GET /list_environments'] }, async () => [TASK_ENV_NAME]);

  app.get('/:env_name/splits', { schema: ROUTE_SCHEMAS['GET /:env_name/splits'] }, async (request) => {
    checkEnvName(request);
    return [...SPLITS.values()].map(describeSplit);
  });

  app.post('/:env_name/tasks', { schema: ROUTE_SCHEMAS['POST /:env_name/tasks'], config: { rawBody: true } }, async (request): Promise<TaskListReply> => {
    checkEnvName(request);
    const split = splitField(body(request));
    const n = numTasks(split);
    return {
      tasks: taskRange(split, 0, Math.min(n, LIST_PREVIEW)),
      env_name: TASK_ENV_NAME,
      num_tasks: n,
      truncated: n > LIST_PREVIEW,
    };
  });

  app.post('/:env_name/num_tasks', { schema: ROUTE_SCHEMAS['POST /:env_name/num_tasks'], config: { rawBody: true } }, async (request) => {
    checkEnvName(request);
    return { num_tasks: numTasks(splitField(body(request))) };
  });

  app.post('/:env_name/task', { schema: ROUTE_SCHEMAS['POST /:env_name/task'], config: { rawBody: true } }, async (request) => {
    checkEnvName(request);
    const b = body(request);
    const split = splitField(b);
    return { task: taskAt(split, intField(b, 'index', false)!) };
  });

  app.post('/:env_name/task_range', { schema: ROUTE_SCHEMAS['POST /:env_name/task_range'], config: { rawBody: true } }, async (request) => {
    checkEnvName(request);
    const b = body(request);
    const split = splitField(b);
    return { tasks: taskRange(split, intField(b, 'start', true), intField(b, 'stop', true)) };
  });
}
