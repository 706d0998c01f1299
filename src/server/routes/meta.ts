/** Service description routes: /, /health, /metadata, /schema (PROTOCOL.md §4.1–§4.3, §4.5). */
import type { FastifyInstance } from 'fastify';
import { ActionSchema, ObservationSchema, StateSchema } from '../../protocol/wire.ts';
import { API_VERSION, ENV_NAME } from '../core.ts';
import type { RouteOptions } from './env.ts';

export const DESCRIPTION =
  'DataSelectEnv: an active-learning / data-curation reinforcement-learning environment. Each step the agent ' +
  'chooses how many unlabelled samples to buy and how to mix three selection strategies (uncertainty, ' +
  'diversity, random) under a labelling budget, in a pool with injected label noise; rewards follow the ' +
  "validation performance, diversity, redundancy and noise of the picks. Three graded tasks: easy, medium, hard.";

const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

export const SCHEMAS = Object.freeze({
  action: plain(ActionSchema),
  observation: plain(ObservationSchema),
  state: plain(StateSchema),
});

export async function metaRoutes(app: FastifyInstance, { service }: RouteOptions): Promise<void> {
  app.get('/', async () => ({ name: ENV_NAME, version: API_VERSION, docs: '/docs', health: '/health' }));

  // Nothing but counters: launchers poll this with short timeouts, it must never wait on work.
  app.get('/health', async () => ({
    status: 'healthy',
    env: ENV_NAME,
    version: API_VERSION,
    active_sessions: service.sessions.activeSessions,
    max_sessions: service.sessions.maxSessions,
  }));

  app.get('/metadata', async () => ({
    name: ENV_NAME,
    description: DESCRIPTION,
    readme_content: null,
    version: API_VERSION,
    author: 'InfraNova',
    documentation_url: null,
  }));

  app.get('/schema', async () => structuredClone(SCHEMAS));
}
