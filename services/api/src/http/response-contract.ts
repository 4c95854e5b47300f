import type { FastifyInstance, FastifyReply, RouteOptions } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { schemaProblems } from '@hazardwatch/kit';
import { apiErrors } from '../errors.js';

/** A response body that its route's contract schema does not describe exactly. */
export interface ResponseContractViolation {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** What differs, e.g. `/items/0/extra: unexpected property`, or that no schema covers the status. */
  readonly problems: readonly string[];
}

export interface ResponseContractOptions {
  /** Route URL prefixes exempt from the rule (the OpenAPI documentation's own routes). */
  readonly exemptPrefixes: readonly string[];
  /**
   * Test-only strict check: every JSON answer is checked against its route's response schema
   * with no property left undeclared, as JSON would carry it; a mismatch is reported here and
   * answers 500. Off in production (fastify's serializer then applies the schema).
   */
  readonly strict?: (violation: ResponseContractViolation) => void;
}

/**
 * Every route declares the contract of its answers (issue #18): a route registered without a
 * success `response` schema is refused at registration (HW_API_ROUTE_SCHEMA_MISSING, part
 * `response`), like one without a scope rule or a querystring schema.
 *
 * The reason for the strict check: fastify serializes with fast-json-stringify, which silently
 * drops properties the schema does not name and coerces types (an integer is rounded, a Date
 * becomes a string). A handler answering a field its contract lacks would change the answer
 * without a sound; under `strict` it fails the tests that reach it instead.
 */
export function installResponseContract(app: FastifyInstance, options: ResponseContractOptions): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const method = String(route.method);
    if (
      method === 'OPTIONS' ||
      options.exemptPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))
    )
      return;
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response === undefined || !Object.keys(response).some((code) => /^[23]/.test(code)))
      throw apiErrors.create('HW_API_ROUTE_SCHEMA_MISSING', { method, url: route.url, part: 'response' });
  });
  const report = options.strict;
  if (report === undefined) return;
  const strictSchemas = new WeakMap<object, TSchema>();
  app.addHook('preSerialization', async (request, reply, payload) => {
    const response = request.routeOptions.schema?.response as Record<string, TSchema> | undefined;
    // No route (the not-found handler): its `{ code, message }` is not a route's contract.
    if (response === undefined) return payload;
    const problems = contractProblems(response, reply, payload, strictSchemas);
    if (problems.length > 0) {
      const violation = {
        method: request.method,
        url: request.routeOptions.url ?? request.url,
        status: reply.statusCode,
        problems,
      };
      report(violation);
      throw new Error(`response breaks its contract: ${JSON.stringify(violation)}`);
    }
    return payload;
  });
}

/** fastify's choice of schema for a status: the exact code, then `4xx`-style, then `default`. */
function schemaFor(response: Record<string, TSchema>, status: number): TSchema | undefined {
  return response[String(status)] ?? response[`${String(status)[0]}xx`] ?? response['default'];
}

function contractProblems(
  response: Record<string, TSchema>,
  reply: FastifyReply,
  payload: unknown,
  cache: WeakMap<object, TSchema>,
): string[] {
  const declared = schemaFor(response, reply.statusCode);
  if (declared === undefined) return [`no response schema for status ${reply.statusCode}`];
  let strict = cache.get(declared);
  if (strict === undefined) {
    strict = closedSchema(declared);
    cache.set(declared, strict);
  }
  // What JSON.stringify would send: the answer as it was before response schemas existed.
  const sent: unknown = payload === undefined ? undefined : JSON.parse(JSON.stringify(payload));
  return schemaProblems(strict, sent)
    .slice(0, 10)
    .map((p) => `${p.pointer || '/'}: ${p.detail}`);
}

/**
 * The schema with `additionalProperties: false` on every object that does not say otherwise, so
 * a property the serializer would drop is an error. Symbol keys (TypeBox's kind) are kept.
 */
function closedSchema<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => closedSchema(s)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string | symbol, unknown> = { ...(schema as Record<string | symbol, unknown>) };
  for (const key of ['items', 'anyOf', 'allOf', 'oneOf', 'not', 'additionalProperties'] as const)
    if (copy[key] !== undefined && typeof copy[key] === 'object') copy[key] = closedSchema(copy[key]);
  for (const key of ['properties', 'patternProperties'] as const) {
    const map = copy[key] as Record<string, unknown> | undefined;
    if (map !== undefined)
      copy[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, closedSchema(v)]));
  }
  if (copy['properties'] !== undefined && copy['additionalProperties'] === undefined)
    copy['additionalProperties'] = false;
  return copy as T;
}
