/**
 * The web console plugin (GET /web, /web/…). Placeholder until the console lands: answers 404 so
 * the route table already has its place.
 */
import type { FastifyInstance } from 'fastify';

export async function webPlugin(_app: FastifyInstance): Promise<void> {}
