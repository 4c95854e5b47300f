import type { FastifyInstance } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineRoute, type ReplyBody } from '../src/http/route.js';

// A handler's answer is typed by its route's response contract (issue #18): fastify's serializer
// drops what the schema does not name, so tsc must refuse what the contract would not carry.

const Item = Type.Object({ id: Type.Integer(), name: Type.String() });
const schemas = { querystring: Type.Object({}), response: { 200: Item, 201: Item } };
declare const app: FastifyInstance;
const route = { method: 'GET', url: '/x', scope: { kind: 'public' }, summary: 'x', tags: [] } as const;

describe('defineRoute handler typing', () => {
  it('takes the body of a declared success status, read-only all the way down', () => {
    expectTypeOf<ReplyBody<typeof schemas>>().toEqualTypeOf<{ readonly id: number; readonly name: string }>();
    defineRoute(app, { ...route, schema: schemas, handler: () => ({ id: 1, name: 'a' }) });
    defineRoute(app, {
      ...route,
      schema: schemas,
      handler: (_request, reply) => reply.status(201).send({ id: 1, name: 'a' }),
    });
  });

  it('refuses an answer missing a field, with a field the contract lacks, or of another type', () => {
    // @ts-expect-error name is missing
    defineRoute(app, { ...route, schema: schemas, handler: () => ({ id: 1 }) });
    // @ts-expect-error extra is not in the contract: the serializer would drop it
    defineRoute(app, { ...route, schema: schemas, handler: () => ({ id: 1, name: 'a', extra: true }) });
    // @ts-expect-error id is a number
    defineRoute(app, { ...route, schema: schemas, handler: () => ({ id: '1', name: 'a' }) });
  });

  it('types reply.status(c).send() by the schema of status c, and refuses an undeclared status', () => {
    defineRoute(app, {
      ...route,
      schema: schemas,
      // @ts-expect-error name must be a string
      handler: (_request, reply) => reply.status(201).send({ id: 1, name: 2 }),
    });
    defineRoute(app, {
      ...route,
      schema: schemas,
      // @ts-expect-error 202 is not a declared status
      handler: (_request, reply) => reply.status(202).send({ id: 1, name: 'a' }),
    });
  });

  it('requires a response schema on every route', () => {
    // @ts-expect-error response is required
    defineRoute(app, { ...route, schema: { querystring: Type.Object({}) }, handler: () => ({}) });
  });
});
