/**
 * How the routes' declared schemas are enforced. Fastify compiles each request-part schema with
 * the compiler set here: it runs the protocol module's parser for that schema (src/protocol/
 * requests.ts: the schema's rules plus those JSON Schema cannot state, no type coercion, located
 * FastAPI-style issues), and the handler receives the parsed value. JSON bodies are decoded
 * before validation (strict UTF-8, standard JSON, media type checked: body.ts).
 *
 * Replies are serialised by the project's own `toJson`, also for routes with a response schema.
 * fast-json-stringify does keep full precision (checked: the shortest round-trip text, identical
 * to JSON.stringify, for 0.1+0.2, 1/3, 5e-324, 1.797e308 and reward values), but it writes
 * Infinity as null and throws a bare Error for NaN, where PROTOCOL §1 wants a logged `internal`
 * error, and it silently drops keys a schema does not list. What the schemas promise is checked
 * by the contract tests instead (every reply of the test suite against the schema of its status).
 */
import type { FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { asApiError, invalidRequest } from '../protocol/errors.ts';
import { NO_BODY, requestParserFor } from '../protocol/requests.ts';
import { readJsonBody, toJson } from './body.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler reads the raw body bytes itself (POST /mcp). */
    rawBody?: boolean;
  }
}

/** A schema without a dedicated parser: checked as is, problems listed by JSON pointer. */
function genericParser(schema: TSchema, part: string): (value: unknown) => unknown {
  const check = Compile(schema);
  return (value) => {
    if (check.Check(value)) return value;
    const issues = [...check.Errors(value)].map((e) => ({
      loc: [part, ...e.instancePath.split('/').filter((p) => p !== '')],
      msg: e.message,
      type: e.keyword,
    }));
    throw invalidRequest(issues);
  };
}

export function registerSchemaValidation(app: FastifyInstance): void {
  // A callback hook: an async one costs a promise and a tick on every request.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.routeOptions.config.rawBody !== true && request.routeOptions.schema?.body !== undefined) {
      try {
        request.body = readJsonBody(request);
      } catch (e) {
        done(e as Error);
        return;
      }
    }
    done();
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const parse = requestParserFor(schema) ?? genericParser(schema as TSchema, httpPart === 'querystring' ? 'query' : (httpPart ?? 'body'));
    return (value: unknown) => {
      try {
        return { value: parse(value === null && httpPart === 'body' ? NO_BODY : value) };
      } catch (e) {
        const error = asApiError(e);
        if (error) return { error };
        throw e;
      }
    };
  });
  app.setSerializerCompiler(() => (payload) => toJson(payload));
}
