/** Service description routes: /, /health, /metadata, /schema (docs/protocol.md §4.1–§4.3, §4.5). */
import type { FastifyInstance } from 'fastify';
import { ActionSchema, ObservationSchema, StateSchema } from '../../protocol/wire.ts';
import { PACKAGE_VERSION } from '../../version.ts';
import { ENV_NAME } from '../core.ts';
import type { IndexReply } from '../../protocol/wire.ts';
import { ROUTE_SCHEMAS } from '../../protocol/routes.ts';
import type { RouteOptions } from './env.ts';

export const DESCRIPTION =
  'DataSelectEnv: an active-learning / data-curation reinforcement-learning environment. Each step the agent ' +
  'chooses how many unlabelled samples to buy and how to mix selection strategies (uncertainty, ' +
  'diversity, random; the curation tasks also least_confidence, margin, entropy, density, coreset, committee and badge) under a labelling budget, in a pool with injected label noise; rewards follow the ' +
  "validation performance, diversity, redundancy and noise of the picks. Graded tasks: the original's easy, medium and hard, and the curation family (curation-easy, -medium, -hard: " +
  'held-out test grading normalised by anchors, no observation computed from hidden truth).';

const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

export const SCHEMAS = Object.freeze({
  action: plain(ActionSchema),
  observation: plain(ObservationSchema),
  state: plain(StateSchema),
});

export async function metaRoutes(app: FastifyInstance, { service, web }: RouteOptions & { web?: boolean }): Promise<void> {
  // The map of the service: where a person (console, docs) and a program (schema, OpenAPI) go next.
  const index: IndexReply = {
    name: ENV_NAME,
    version: PACKAGE_VERSION,
    ...(web ? { console: '/web' } : {}),
    docs: '/docs',
    redoc: '/redoc',
    openapi: '/openapi.json',
    health: '/health',
  };
  app.get('/', { schema: ROUTE_SCHEMAS['GET /'] }, async () => structuredClone(index));

  // Counters and the store's last known state: launchers poll this with short timeouts, so it
  // never waits on work (only while the store is failing, a probe write at most once a second).
  app.get('/health', { schema: ROUTE_SCHEMAS['GET /health'] }, async () => {
    const store = await service.health.check();
    return {
      status: store === 'ok' ? 'healthy' : 'degraded',
      env: ENV_NAME,
      version: PACKAGE_VERSION,
      active_sessions: service.sessions.activeSessions,
      max_sessions: service.sessions.maxSessions,
      replica_id: service.replicaId,
      store: store === 'ok' ? { status: 'ok' } : { status: store, reason: service.health.reason },
    };
  });

  // Readiness (load balancers, Kubernetes): 503 while the store cannot record steps.
  app.get('/ready', { schema: ROUTE_SCHEMAS['GET /ready'] }, async (_request, reply) => {
    const store = await service.health.check();
    if (store === 'ok') return { status: 'ready' };
    return reply.code(503).send({
      detail: `not ready: the episode store is ${store === 'corrupt' ? 'damaged' : 'unavailable'} (${service.health.reason})`,
      code: 'STORE_UNAVAILABLE',
      reason: store === 'corrupt' ? 'store_corrupt' : 'store_unavailable',
    });
  });

  app.get('/metadata', { schema: ROUTE_SCHEMAS['GET /metadata'] }, async () => ({
    name: ENV_NAME,
    description: DESCRIPTION,
    readme_content: null,
    version: PACKAGE_VERSION,
    author: 'InfraNova',
    documentation_url: null,
  }));

  app.get('/schema', { schema: ROUTE_SCHEMAS['GET /schema'] }, async () => structuredClone(SCHEMAS));
}
