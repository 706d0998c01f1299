/**
 * OpenAPI 3.1 description of the HTTP API (docs/protocol.md §4.4) and the two human pages generated
 * from it, /docs and /redoc (§4.5): self-contained HTML, no scripts or fonts from the network.
 * Schemas come from the environment's TypeBox definitions where they exist.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_SEED } from '../numerics/random-state.ts';
import { TASK_IDS } from '../env/tasks.ts';
import { API_VERSION, ENV_NAME } from './core.ts';
import { MAX_EPISODE_ID_CHARS, MAX_LABEL_CHARS } from '../protocol/requests.ts';
import { DESCRIPTION, SCHEMAS } from './routes/meta.ts';
import { TASK_ENV_NAME } from './routes/task-api.ts';
import type { TSchema } from 'typebox';
import {
  HttpStepReplySchema,
  IndexFieldSchema,
  ListEnvironmentsReplySchema,
  SplitFieldSchema,
  NumTasksReplySchema,
  ResetReplySchema,
  SplitRequestSchema,
  SplitsReplySchema,
  TaskListReplySchema,
  TaskRangeReplySchema,
  TaskRangeRequestSchema,
  TaskReplySchema,
  TaskRequestSchema,
} from '../protocol/wire.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const json = (schema: object) => ({ 'application/json': { schema } });
const ok = (description: string, schema: object) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const anyObject = { type: 'object', additionalProperties: true };
const jsonSchema = (schema: TSchema): object => JSON.parse(JSON.stringify(schema));
const envName = { name: 'env_name', in: 'path', required: true, schema: { type: 'string', const: TASK_ENV_NAME } };
const taskApiPost = (summary: string, body: TSchema, reply: TSchema) => ({
  post: {
    tags: ['Task API'],
    summary,
    parameters: [envName],
    requestBody: { required: true, content: json(jsonSchema(body)) },
    responses: { 200: ok(summary, jsonSchema(reply)), 400: error('invalid_split, index_out_of_range, range_too_large'), 404: error('unknown_environment'), 422: error('invalid_request') },
  },
});

function buildDocument(): Record<string, unknown> {
  const schemas = {
    Action: SCHEMAS.action,
    Observation: SCHEMAS.observation,
    State: SCHEMAS.state,
    ValidationProblem: {
      type: 'object',
      required: ['loc', 'msg', 'type'],
      properties: { loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' }, type: { type: 'string' } },
    },
    Error: {
      type: 'object',
      required: ['detail', 'code', 'reason'],
      properties: {
        detail: { anyOf: [{ type: 'string' }, { type: 'array', items: ref('ValidationProblem') }] },
        code: { type: 'string', description: 'Category (OpenEnv vocabulary), e.g. VALIDATION_ERROR, EXECUTION_ERROR, NOT_FOUND.' },
        reason: { type: 'string', description: 'Specific cause, e.g. invalid_action, no_episode, episode_over.' },
      },
    },
    ResetRequest: {
      type: 'object',
      properties: {
        task_id: nullable({ type: 'string', enum: [...TASK_IDS], default: 'easy' }),
        seed: {
          anyOf: [{ type: 'integer', minimum: 0, maximum: MAX_SEED }, { type: 'string', pattern: '^[0-9]{1,10}$' }, { type: 'null' }],
          default: 42,
        },
        episode_id: nullable({ type: 'string', minLength: 1, maxLength: MAX_EPISODE_ID_CHARS }),
        label: nullable({ type: 'string', maxLength: MAX_LABEL_CHARS }),
        split: jsonSchema(SplitFieldSchema),
        index: jsonSchema(IndexFieldSchema),
      },
    },
    // The replies the wire module defines (src/protocol/wire.ts), as JSON Schema.
    ResetResponse: jsonSchema(ResetReplySchema),
    StepRequest: {
      type: 'object',
      required: ['action'],
      properties: { action: ref('Action'), episode_id: nullable({ type: 'string' }) },
    },
    StepResponse: jsonSchema(HttpStepReplySchema),
    GraderRequest: {
      type: 'object',
      required: ['episode_id', 'task_id'],
      properties: { episode_id: { type: 'string' }, task_id: { type: 'string', enum: [...TASK_IDS] } },
    },
    GraderResponse: {
      type: 'object',
      required: ['episode_id', 'task_id', 'score', 'passed', 'breakdown'],
      properties: {
        episode_id: { type: 'string' },
        task_id: { type: 'string' },
        score: { type: 'number', minimum: 0, maximum: 1 },
        passed: { type: 'boolean' },
        breakdown: {
          type: 'object',
          description: 'Per-task terms of the score; curation tasks also reveal the episode\'s hidden regime here (a string).',
          additionalProperties: { type: ['number', 'string'] },
        },
      },
    },
    Health: {
      type: 'object',
      required: ['status', 'env', 'version', 'active_sessions', 'max_sessions'],
      properties: {
        status: { type: 'string', enum: ['healthy', 'degraded'] },
        env: { type: 'string' },
        version: { type: 'string' },
        active_sessions: { type: 'integer' },
        max_sessions: { type: 'integer' },
        store: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string', enum: ['ok', 'unavailable', 'corrupt'] }, reason: { type: 'string' } },
        },
      },
    },
    Metadata: {
      type: 'object',
      required: ['name', 'description'],
      properties: {
        name: { type: 'string' },
        description: { type: 'string' },
        readme_content: nullable({ type: 'string' }),
        version: nullable({ type: 'string' }),
        author: nullable({ type: 'string' }),
        documentation_url: nullable({ type: 'string' }),
      },
    },
    Tasks: {
      type: 'object',
      required: ['tasks', 'action_schema'],
      properties: {
        tasks: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              task_id: { type: 'string' },
              difficulty: { type: 'string' },
              description: { type: 'string' },
              success_criteria: { type: 'string' },
              action_schema: anyObject,
            },
          },
        },
        action_schema: anyObject,
      },
    },
    EpisodeSummary: {
      type: 'object',
      properties: {
        episode_id: { type: 'string' },
        task_id: { type: 'string' },
        seed: { type: 'integer' },
        label: nullable({ type: 'string' }),
        step_count: { type: 'integer' },
        score: { type: 'number' },
        passed: { type: 'boolean' },
        finished_at: { type: 'string', format: 'date-time' },
      },
    },
    EpisodeList: {
      type: 'object',
      required: ['episodes', 'next_before'],
      properties: { episodes: { type: 'array', items: ref('EpisodeSummary') }, next_before: nullable({ type: 'string' }) },
    },
    EpisodeDetail: {
      type: 'object',
      properties: {
        episode_id: { type: 'string' },
        task_id: { type: 'string' },
        seed: { type: 'integer' },
        label: nullable({ type: 'string' }),
        step_count: { type: 'integer' },
        finished_at: { type: 'string', format: 'date-time' },
        initial_observation: ref('Observation'),
        steps: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              t: { type: 'integer' },
              action: ref('Action'),
              reward: { type: 'number' },
              terms: anyObject,
              observation: ref('Observation'),
              done: { type: 'boolean' },
            },
          },
        },
        grade: ref('GraderResponse'),
      },
    },
    JsonRpcRequest: {
      type: 'object',
      required: ['jsonrpc', 'method'],
      properties: {
        jsonrpc: { const: '2.0' },
        method: { type: 'string', description: 'initialize, ping, tools/list, tools/call, openenv/session/create, openenv/session/close' },
        params: anyObject,
        id: { type: ['string', 'integer', 'null'] },
      },
    },
    JsonRpcResponse: {
      type: 'object',
      required: ['jsonrpc', 'id'],
      properties: { jsonrpc: { const: '2.0' }, id: { type: ['string', 'integer', 'null'] }, result: {}, error: anyObject },
    },
  };

  const episodeIdQuery = {
    name: 'episode_id',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'The episode to read; without it, the most recent HTTP episode.',
  };
  const paths = {
    '/health': { get: { summary: 'Liveness, session counts and the store state (degraded while it cannot write)', responses: { 200: ok('Alive', ref('Health')) } } },
    '/ready': {
      get: {
        summary: 'Readiness: 200 while the episode store can record steps, 503 STORE_UNAVAILABLE otherwise',
        responses: { 200: ok('Ready', { type: 'object', properties: { status: { type: 'string', const: 'ready' } } }), 503: error('The store cannot write') },
      },
    },
    '/metadata': { get: { summary: 'Name, description, version', responses: { 200: ok('Metadata', ref('Metadata')) } } },
    '/schema': {
      get: {
        summary: 'JSON Schemas of action, observation and state',
        responses: {
          200: ok('Schemas', { type: 'object', required: ['action', 'observation', 'state'], properties: { action: anyObject, observation: anyObject, state: anyObject } }),
        },
      },
    },
    '/reset': {
      post: {
        summary: 'Start an HTTP episode (no body, {} or null = easy, seed 42)',
        requestBody: { required: false, content: json(ref('ResetRequest')) },
        responses: {
          200: ok('The new episode: exactly five keys', ref('ResetResponse')),
          400: error('Unknown task (invalid_task)'),
          409: error('episode_id already used (episode_exists)'),
          415: error('Unsupported Content-Type'),
          422: error('Invalid JSON or fields (invalid_json, invalid_request)'),
        },
      },
    },
    '/step': {
      post: {
        summary: 'Act in an HTTP episode (the named one, or the most recent)',
        requestBody: { required: true, content: json(ref('StepRequest')) },
        responses: {
          200: ok('The step outcome', ref('StepResponse')),
          400: error('no_episode, episode_over'),
          404: error('episode_not_found (unknown, evicted, reaped, or owned by a WebSocket)'),
          415: error('Unsupported Content-Type'),
          422: error('invalid_json, invalid_request, invalid_action'),
        },
      },
    },
    '/state': {
      get: {
        summary: 'State of an episode',
        parameters: [episodeIdQuery],
        responses: { 200: ok('The state', ref('State')), 404: error('episode_not_found') },
      },
    },
    '/tasks': { get: { summary: 'Tasks and the action schema', responses: { 200: ok('Tasks', ref('Tasks')) } } },
    '/grader': {
      post: {
        summary: 'Grade a finished episode',
        requestBody: { required: true, content: json(ref('GraderRequest')) },
        responses: {
          200: ok('The grade', ref('GraderResponse')),
          400: error('invalid_task, task_mismatch'),
          404: error('episode_not_finished'),
          422: error('invalid_json, invalid_request'),
        },
      },
    },
    '/baseline': {
      get: {
        summary: 'Run the balanced baseline agent (seed 42) on every task',
        responses: { 200: ok('Baseline results', anyObject) },
      },
    },
    '/episodes': {
      get: {
        summary: 'Finished episodes, newest first',
        parameters: [
          { name: 'task_id', in: 'query', required: false, schema: { type: 'string', enum: [...TASK_IDS] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'before', in: 'query', required: false, schema: { type: 'string' }, description: 'next_before of the previous page' },
        ],
        responses: { 200: ok('A page of episodes', ref('EpisodeList')), 400: error('invalid_task'), 422: error('invalid_request') },
      },
    },
    '/episodes/{id}': {
      get: {
        summary: 'One finished episode with its steps and grade',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: ok('The episode', ref('EpisodeDetail')), 404: error('episode_not_finished') },
      },
    },
    '/mcp': {
      post: {
        summary: 'MCP JSON-RPC 2.0 (tools list_tasks, start_episode, take_action, get_state, grade_episode)',
        requestBody: { required: true, content: json(ref('JsonRpcRequest')) },
        responses: {
          200: ok('A JSON-RPC response (errors included)', ref('JsonRpcResponse')),
          202: { description: 'A notification was accepted (empty body)' },
          415: error('Unsupported Content-Type'),
        },
      },
    },
    // Task API (OpenEnv task-api.md): discovery only; reset(split, index) starts an entry.
    '/list_environments': {
      get: { tags: ['Task API'], summary: 'The Task API namespaces', responses: { 200: ok('Environment names', jsonSchema(ListEnvironmentsReplySchema)) } },
    },
    '/{env_name}/splits': {
      get: {
        tags: ['Task API'],
        summary: 'Splits: train, validation, test seed ranges',
        parameters: [envName],
        responses: { 200: ok('Splits', jsonSchema(SplitsReplySchema)), 404: error('unknown_environment') },
      },
    },
    '/{env_name}/tasks': taskApiPost('A bounded preview of a split', SplitRequestSchema, TaskListReplySchema),
    '/{env_name}/num_tasks': taskApiPost('Number of entries of a split', SplitRequestSchema, NumTasksReplySchema),
    '/{env_name}/task': taskApiPost('One entry of a split (400 index_out_of_range)', TaskRequestSchema, TaskReplySchema),
    '/{env_name}/task_range': taskApiPost('split[start:stop] (Python slice semantics, at most 10000)', TaskRangeRequestSchema, TaskRangeReplySchema),
    '/': {
      get: {
        summary: 'Index',
        responses: {
          200: ok('Where to go next: the console (when served), the docs, the OpenAPI document, health', {
            type: 'object',
            properties: Object.fromEntries(['name', 'version', 'console', 'docs', 'redoc', 'openapi', 'health'].map((k) => [k, { type: 'string' }])),
          }),
        },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: ENV_NAME,
      version: API_VERSION,
      description: `${DESCRIPTION}\n\nWebSocket: /ws (environment messages reset, step, state, close, mcp) and /mcp (JSON-RPC).`,
    },
    paths,
    components: { schemas },
  };
}

let cached: Record<string, unknown> | null = null;
export function openapiDocument(): Record<string, unknown> {
  cached ??= buildDocument();
  return structuredClone(cached);
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A static HTML rendering of the OpenAPI document (both pages share it; only the layout differs). */
export function renderDocs(doc: Record<string, any>, variant: 'docs' | 'redoc'): string {
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      const anchor = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
      toc.push(`<li><a href="#${anchor}"><code>${method.toUpperCase()} ${escapeHtml(path)}</code></a> ${escapeHtml(op.summary ?? '')}</li>`);
      const parts = [`<h2 id="${anchor}"><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2>`, `<p>${escapeHtml(op.summary ?? '')}</p>`];
      if (op.parameters) {
        parts.push('<h3>Parameters</h3><ul>');
        for (const p of op.parameters) {
          parts.push(`<li><code>${escapeHtml(p.name)}</code> (${p.in}${p.required ? ', required' : ''}) ${escapeHtml(p.description ?? '')} <code>${escapeHtml(JSON.stringify(p.schema))}</code></li>`);
        }
        parts.push('</ul>');
      }
      if (op.requestBody) {
        parts.push(`<h3>Request body${op.requestBody.required ? '' : ' (optional)'}</h3><pre>${escapeHtml(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre>`);
      }
      parts.push('<h3>Responses</h3><ul>');
      for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
        const schema = r.content?.['application/json']?.schema;
        parts.push(`<li><b>${status}</b> ${escapeHtml(r.description)}${schema ? ` <code>${escapeHtml(JSON.stringify(schema))}</code>` : ''}</li>`);
      }
      parts.push('</ul>');
      sections.push(`<section>${parts.join('\n')}</section>`);
    }
  }
  const schemaBlocks = Object.entries(doc.components.schemas as Record<string, unknown>).map(
    ([name, schema]) => `<section><h3 id="schema-${name}">${name}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></section>`,
  );
  const layout =
    variant === 'redoc'
      ? 'body{display:grid;grid-template-columns:22rem 1fr;margin:0}nav{position:sticky;top:0;height:100vh;overflow:auto;background:#f4f4f6;padding:1rem}main{padding:1rem 2rem}'
      : 'body{max-width:60rem;margin:auto;padding:1rem}';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API ${escapeHtml(doc.info.version)}</title>
<style>${layout}body{font-family:system-ui,sans-serif;line-height:1.4}pre{background:#f6f8fa;padding:.5rem;overflow:auto}code{font-size:.9em}section{border-bottom:1px solid #ddd;padding-bottom:.5rem}</style></head>
<body><nav><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1><ul>${toc.join('\n')}</ul><p><a href="/openapi.json">openapi.json</a></p></nav>
<main><p>${escapeHtml(doc.info.description)}</p>${sections.join('\n')}<h2>Schemas</h2>${schemaBlocks.join('\n')}</main></body></html>`;
}

export async function openapiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', async () => openapiDocument());
  const docs = renderDocs(openapiDocument(), 'docs');
  const redoc = renderDocs(openapiDocument(), 'redoc');
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docs));
  app.get('/redoc', async (_request, reply) => reply.type('text/html; charset=utf-8').send(redoc));
}
