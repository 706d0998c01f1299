import type { FastifyInstance } from 'fastify';
export async function openapiRoutes(_app: FastifyInstance): Promise<void> {}
