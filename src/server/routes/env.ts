/**
 * The original's HTTP API, as a superset (docs/protocol.md §4.6–§4.11): /reset, /step, /state,
 * /tasks, /grader, /baseline. Each route declares its schemas (the protocol module's): fastify
 * runs the matching parser before the handler, OpenAPI documents them, and the contract tests
 * hold the replies to them. Handlers only call the EnvService and map its result.
 */
import type { FastifyInstance } from 'fastify';
import { asApiError } from '../../protocol/errors.ts';
import { runBaseline } from '../../env/baseline.ts';
import { episodeMetadata, type EnvService } from '../core.ts';
import { httpStepReply } from '../../protocol/replies.ts';
import type { GraderRequest, ResetRequest, StepRequest } from '../../protocol/requests.ts';
import { ROUTE_SCHEMAS } from '../../protocol/routes.ts';
import { clientKey } from '../security/limits.ts';

export interface RouteOptions {
  service: EnvService;
}

export async function envRoutes(app: FastifyInstance, { service }: RouteOptions): Promise<void> {
  app.post('/reset', { schema: ROUTE_SCHEMAS['POST /reset'] }, async (request) => {
    return (await service.reset(request.body as ResetRequest, { kind: 'http', client: clientKey(request), principal: request.principal }, true)).body;
  });

  app.post('/step', { schema: ROUTE_SCHEMAS['POST /step'] }, async (request) => {
    const { action, episode_id: episodeId, step: expectedStep } = request.body as StepRequest;
    let episode;
    try {
      episode =
        episodeId === null
          ? await service.resolveForStep(service.mostRecentFor(request.principal), { implicit: true, principal: request.principal })
          : await service.resolveForStep(episodeId, { principal: request.principal });
    } catch (e) {
      // The retry of an episode's last step finds it finished: answer it from the log.
      if (expectedStep !== undefined && episodeId !== null && asApiError(e)?.reason === 'episode_over') {
        const retried = await service.retriedFinished(episodeId, action, expectedStep);
        return httpStepReply(episodeId, retried.result, episodeMetadata(retried.episode, retried.result));
      }
      throw e;
    }
    const r = await service.step(episode, action, { expectedStep, actionLoc: ['body', 'action'] });
    return httpStepReply(episode.id, r, episodeMetadata(episode, r));
  });

  app.get('/state', { schema: ROUTE_SCHEMAS['GET /state'] }, async (request) => {
    const { episode_id } = request.query as { episode_id: string | undefined };
    return episode_id === undefined ? service.stateOfMostRecent(request.principal) : service.stateById(episode_id, request.principal);
  });

  app.get('/tasks', { schema: ROUTE_SCHEMAS['GET /tasks'] }, async () => service.tasks());

  app.post('/grader', { schema: ROUTE_SCHEMAS['POST /grader'] }, async (request) => {
    const { episode_id, task_id } = request.body as GraderRequest;
    return service.grade(episode_id, task_id, request.principal);
  });

  app.get('/baseline', { schema: ROUTE_SCHEMAS['GET /baseline'] }, async () => runBaseline());
}
