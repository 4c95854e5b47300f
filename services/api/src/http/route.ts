import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import type {
  ContextConfigDefault,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  FastifyTypeProvider,
  HTTPMethods,
  RawServerDefault,
  RouteGenericInterface,
} from 'fastify';
import { ApiErrorSchema } from '@hazardwatch/contracts';
import type { ScopeRule } from '../access/scope-rule.js';

/** Success statuses a route may answer with a body of its own (errors are `{ code, message }`). */
type SuccessCode = 200 | 201 | 202 | 203 | 204 | 206;

export interface RouteSchemas {
  readonly params?: TSchema;
  /** Required on every route: `additionalProperties: false` refuses unknown query parameters. */
  readonly querystring: TSchema;
  readonly body?: TSchema;
  /**
   * Required on every route: the contract schema (@hazardwatch/contracts) of each status it
   * answers with. fastify serializes with it and silently drops what it does not name, so the
   * handler is typed by it (below). `{ code, message }` for 4xx and 5xx is added unless given.
   */
  readonly response: Readonly<Partial<Record<SuccessCode | 503, TSchema>>>;
}

type In<S extends RouteSchemas, K extends keyof RouteSchemas> = S[K] extends TSchema
  ? Static<S[K]>
  : undefined;

export type TypedRequest<S extends RouteSchemas> = FastifyRequest<{
  Params: In<S, 'params'>;
  Querystring: In<S, 'querystring'>;
  Body: In<S, 'body'>;
}>;

/** The contract type, readonly all the way down: handlers may answer frozen domain objects. */
type Readable<T> = T extends (infer U)[]
  ? readonly Readable<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Readable<T[K]> }
    : T;

/** What a handler may return as the answer: a body of one of its declared success statuses. */
export type ReplyBody<S extends RouteSchemas> = {
  [C in keyof S['response']]: C extends SuccessCode
    ? S['response'][C] extends TSchema
      ? Readable<Static<S['response'][C]>>
      : never
    : never;
}[keyof S['response']];

/** A body, or the reply once sent (a typed `send`, or a file or stream). */
type Answer<S extends RouteSchemas> = ReplyBody<S> | TypedReply<S> | FastifyReply;

/**
 * `R` with every property the contract `T` lacks typed `never`, all the way down. TypeScript
 * checks a returned object only for assignability (no excess-property check on a function's
 * return), so without this an extra field, which the serializer drops, would pass tsc.
 */
type Exactly<T, R> = unknown extends T
  ? R
  : R extends FastifyReply
    ? R
    : R extends readonly (infer E)[]
      ? NonNullable<T> extends readonly (infer F)[]
        ? readonly Exactly<F, E>[]
        : R
      : R extends object
        ? {
            [K in keyof R]: K extends keyof NonNullable<T> ? Exactly<NonNullable<T>[K], R[K]> : never;
          }
        : R;

/** Types `reply.status(c).send(body)` by the route's response schema of status `c`. */
interface ContractTypeProvider extends FastifyTypeProvider {
  readonly validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  readonly serializer: this['schema'] extends TSchema ? Readable<Static<this['schema']>> : unknown;
}

export type TypedReply<S extends RouteSchemas> = FastifyReply<
  RouteGenericInterface,
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  ContextConfigDefault,
  S & FastifySchema,
  ContractTypeProvider
>;

export interface RouteDefinition<S extends RouteSchemas, R extends Answer<S> = Answer<S>> {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly scope: ScopeRule;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly schema: S;
  /** Extra route config, merged with the scope rule. */
  readonly config?: Record<string, unknown>;
  /**
   * Sync or async; the value returned is the answer, typed by the success response schema, or
   * the reply itself once sent through it (`reply.status(201).send(body)`, typed likewise) or
   * with a file or stream (no JSON: the schema documents the media type).
   */
  readonly handler: (
    request: TypedRequest<S>,
    reply: TypedReply<S>,
  ) => (R & Exactly<ReplyBody<S>, R>) | Promise<R & Exactly<ReplyBody<S>, R>>;
}

/** Registers a route with its scope rule, schemas and OpenAPI metadata in one declaration. */
export function defineRoute<S extends RouteSchemas, R extends Answer<S>>(
  app: FastifyInstance,
  def: RouteDefinition<S, R>,
): void {
  const schema: FastifySchema = {
    ...def.schema,
    response: { '4xx': ApiErrorSchema, '5xx': ApiErrorSchema, ...def.schema.response },
    summary: def.summary,
    tags: [...def.tags],
    ...(def.scope.kind === 'public' ? {} : { security: [{ bearer: [] }] }),
  };
  app.route({
    method: def.method,
    url: def.url,
    config: { ...def.config, scope: def.scope },
    schema,
    handler: async (request, reply) => await def.handler(request as TypedRequest<S>, reply as TypedReply<S>),
  });
}
