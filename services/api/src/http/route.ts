import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { ScopeRule } from '../access/scope-rule.js';

export interface RouteSchemas {
  readonly params?: TSchema;
  /** Required on every route: `additionalProperties: false` refuses unknown query parameters. */
  readonly querystring: TSchema;
  readonly body?: TSchema;
  readonly response?: Readonly<Record<number, TSchema>>;
}

type In<S extends RouteSchemas, K extends keyof RouteSchemas> = S[K] extends TSchema
  ? Static<S[K]>
  : undefined;

export type TypedRequest<S extends RouteSchemas> = FastifyRequest<{
  Params: In<S, 'params'>;
  Querystring: In<S, 'querystring'>;
  Body: In<S, 'body'>;
}>;

export interface RouteDefinition<S extends RouteSchemas> {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly scope: ScopeRule;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly schema: S;
  /** Extra route config, merged with the scope rule. */
  readonly config?: Record<string, unknown>;
  /** Sync or async; the value returned is the answer. */
  readonly handler: (request: TypedRequest<S>, reply: FastifyReply) => unknown;
}

/** Registers a route with its scope rule, schemas and OpenAPI metadata in one declaration. */
export function defineRoute<S extends RouteSchemas>(app: FastifyInstance, def: RouteDefinition<S>): void {
  const schema: FastifySchema = {
    ...def.schema,
    summary: def.summary,
    tags: [...def.tags],
    ...(def.scope.kind === 'public' ? {} : { security: [{ bearer: [] }] }),
  };
  app.route({
    method: def.method,
    url: def.url,
    config: { ...def.config, scope: def.scope },
    schema,
    handler: async (request, reply) => await def.handler(request as TypedRequest<S>, reply),
  });
}
