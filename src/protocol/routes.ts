/**
 * The HTTP routes' schemas (fastify `schema` objects): request parts and every documented
 * response status. The server's routes declare these, @fastify/swagger turns them into
 * /openapi.json, and the contract tests check every reply against the schema of its status.
 */
import Type, { type TSchema } from 'typebox';
import { registerRequestParser } from './requests.ts';
import {
  BaselineReplySchema,
  EpisodeParamsSchema,
  EpisodeRecordSchema,
  EpisodesPageSchema,
  EpisodesQuerySchema,
  GradeReplySchema,
  GraderRequestSchema,
  HealthReplySchema,
  HttpErrorSchema,
  HttpStepReplySchema,
  IndexReplySchema,
  JsonRpcRequestSchema,
  JsonRpcResponseSchema,
  MetadataReplySchema,
  ResetReplySchema,
  ResetRequestSchema,
  SchemaReplySchema,
  StateQuerySchema,
  StateReplySchema,
  StepRequestSchema,
  TasksReplySchema,
  ListEnvironmentsReplySchema,
  NumTasksReplySchema,
  SplitRequestSchema,
  SplitsReplySchema,
  TaskListReplySchema,
  TaskRangeReplySchema,
  TaskRangeRequestSchema,
  TaskReplySchema,
  TaskRequestSchema,
} from './wire.ts';

export interface RouteSchema {
  summary: string;
  description?: string;
  tags?: string[];
  body?: TSchema;
  /** The body may be absent (OpenAPI `requestBody.required: false`). */
  bodyOptional?: boolean;
  querystring?: TSchema;
  params?: TSchema;
  /** Status → schema of the body (`Type.Null()`: no body). */
  response: Record<number, TSchema>;
}

/** An error reply documented for one status, saying which reasons it carries. */
const error = (reasons: string) => ({ ...HttpErrorSchema, description: reasons });

const BODY_ERRORS = {
  415: error('unsupported_media_type: a body sent with a Content-Type other than JSON'),
  413: error('payload_too_large: a body over MAX_BODY_BYTES (the connection is closed)'),
};

/** The Task API's `{env_name}` path parameter (the handler answers 404 for another name). */
export const TaskApiParamsSchema = Type.Object({ env_name: Type.String({ description: 'dataselectenv' }) }, { additionalProperties: true });

/** A GET without input or documented errors: it answers 200 with `reply`. */
function plainGet(tag: string, summary: string, reply: TSchema) {
  return { summary, tags: [tag], response: { 200: reply } };
}

function taskApiPost(summary: string, body: TSchema, reply: TSchema) {
  return {
    summary,
    tags: ['Task API'],
    params: TaskApiParamsSchema,
    body,
    response: {
      200: reply,
      400: error('invalid_split, index_out_of_range, range_too_large'),
      404: error('unknown_environment'),
      422: error('invalid_json, invalid_request'),
      ...BODY_ERRORS,
    },
  };
}

/** The episode store cannot be used (write failed, corrupt): the request changed nothing. */
const STORE_ERRORS = { 503: error('store_unavailable, store_corrupt: the episode store failed; nothing changed, retry later') };

export const ROUTE_SCHEMAS = {
  'GET /': plainGet('service', 'Index: name, version and where the docs are', IndexReplySchema),
  'GET /health': plainGet('service', 'Liveness and session counts', HealthReplySchema),
  'GET /ready': {
    summary: 'Readiness: 200 while the episode store can record steps, 503 STORE_UNAVAILABLE otherwise',
    tags: ['service'],
    response: {
      200: Type.Object({ status: Type.Literal('ready') }, { additionalProperties: false }),
      503: error('store_unavailable, store_corrupt: the episode store cannot record steps'),
    },
  },
  'GET /metadata': plainGet('service', "Name, description, version (OpenEnv's EnvironmentMetadata)", MetadataReplySchema),
  'GET /schema': plainGet('service', 'JSON Schemas of the action, the observation (every task family) and the state', SchemaReplySchema),
  'POST /reset': {
    summary: 'Start an HTTP episode (no body, {} or null = easy, seed 42)',
    tags: ['episode'],
    body: ResetRequestSchema,
    bodyOptional: true,
    response: {
      ...STORE_ERRORS,
      200: { ...ResetReplySchema, description: 'The new episode: exactly five keys' },
      400: error('invalid_task: unknown task_id'),
      409: error('episode_exists: the episode_id is already used by a live or stored episode'),
      422: error('invalid_json, invalid_request (body not an object, bad task_id type, seed, episode_id or label)'),
      ...BODY_ERRORS,
    },
  },
  'POST /step': {
    summary: 'Act in an HTTP episode (the named one, or the most recent)',
    tags: ['episode'],
    body: StepRequestSchema,
    response: {
      ...STORE_ERRORS,
      409: error('step_conflict: another server stepped this episode first (retry continues)'),
      500: error('replay_mismatch: the stored action log does not replay (never served)'),
      200: HttpStepReplySchema,
      400: error('no_episode (nothing to act on), episode_over (the episode is finished)'),
      404: error('episode_not_found: unknown, evicted, reaped, or owned by a WebSocket connection'),
      422: error('invalid_json, invalid_request, invalid_action'),
      ...BODY_ERRORS,
    },
  },
  'GET /state': {
    summary: 'State of an episode (the most recent HTTP episode without episode_id)',
    tags: ['episode'],
    querystring: StateQuerySchema,
    response: {
      ...STORE_ERRORS,
      500: error('replay_mismatch: the stored action log does not replay (never served)'),
      200: StateReplySchema,
      404: error('episode_not_found'),
      422: error('invalid_request: an episode_id that is not well-formed text'),
    },
  },
  'GET /tasks': plainGet('episode', 'Tasks and the action schema', TasksReplySchema),
  'POST /grader': {
    summary: "Grade a finished episode (task_id defaults to the episode's own)",
    tags: ['episode'],
    body: GraderRequestSchema,
    response: {
      ...STORE_ERRORS,
      200: GradeReplySchema,
      400: error('invalid_task (unknown task_id), task_mismatch (task_id differs from the episode\'s)'),
      404: error('episode_not_found (no such episode), episode_not_finished (still running)'),
      422: error('invalid_json, invalid_request (missing or non-string episode_id, non-string task_id)'),
      ...BODY_ERRORS,
    },
  },
  'GET /baseline': plainGet('episode', 'Run the balanced baseline agent (seed 42) on every task', BaselineReplySchema),
  'GET /episodes': {
    summary: 'Finished episodes, newest first, paged with next_before',
    tags: ['history'],
    querystring: EpisodesQuerySchema,
    response: {
      ...STORE_ERRORS,
      200: EpisodesPageSchema,
      400: error('invalid_task: unknown task_id'),
      422: error('invalid_request: limit outside 1 … 1000, malformed before'),
    },
  },
  'GET /episodes/:id': {
    summary: 'One finished episode with its steps and grade',
    tags: ['history'],
    params: EpisodeParamsSchema,
    response: {
      ...STORE_ERRORS,
      200: EpisodeRecordSchema,
      404: error('episode_not_found (no such episode), episode_not_finished (still running)'),
      422: error('invalid_request: an id that is not well-formed text'),
    },
  },
  'POST /mcp': {
    summary: 'MCP JSON-RPC 2.0 (tools list_tasks, start_episode, take_action, get_state, grade_episode)',
    description: 'Every JSON-RPC response is HTTP 200, errors included; a notification is answered 202 with no body.',
    tags: ['mcp'],
    body: JsonRpcRequestSchema,
    response: {
      200: JsonRpcResponseSchema,
      202: { ...Type.Null(), description: 'A notification was accepted (empty body)' },
      ...BODY_ERRORS,
    },
  },
  // Task API (OpenEnv task-api.md): discovery only; reset(split, index) starts an entry. The
  // handlers read their bodies themselves (routes/task-api.ts): the schemas document them.
  'GET /list_environments': plainGet('Task API', 'The Task API namespaces', ListEnvironmentsReplySchema),
  'GET /:env_name/splits': {
    summary: 'Splits: train, validation, test seed ranges',
    tags: ['Task API'],
    params: TaskApiParamsSchema,
    response: { 200: SplitsReplySchema, 404: error('unknown_environment') },
  },
  'POST /:env_name/tasks': taskApiPost('A bounded preview of a split', SplitRequestSchema, TaskListReplySchema),
  'POST /:env_name/num_tasks': taskApiPost('Number of entries of a split', SplitRequestSchema, NumTasksReplySchema),
  'POST /:env_name/task': taskApiPost('One entry of a split (400 index_out_of_range)', TaskRequestSchema, TaskReplySchema),
  'POST /:env_name/task_range': taskApiPost('split[start:stop] (Python slice semantics, at most 10000)', TaskRangeRequestSchema, TaskRangeReplySchema),
} satisfies Record<string, RouteSchema>;

export type RouteKey = keyof typeof ROUTE_SCHEMAS;

registerRequestParser(TaskApiParamsSchema, (value) => value);
