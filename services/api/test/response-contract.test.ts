import Fastify, { type FastifyInstance, type FastifySchema } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { apiErrors, installResponseContract, type ResponseContractViolation } from '@hazardwatch/api';

const Answer = Type.Object({ id: Type.Integer(), name: Type.String(), tags: Type.Array(Type.String()) });
const scope = { config: { scope: { kind: 'public' } as const } };
/** Route schemas typed loosely, as a plugin that bypasses defineRoute would give them. */
const answers = (response: Record<string, unknown>): FastifySchema => ({ response });

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A bare app with the response-contract rule, strict when `violations` is given. */
function contracted(violations?: ResponseContractViolation[]): FastifyInstance {
  app = Fastify();
  installResponseContract(app, {
    exemptPrefixes: ['/docs'],
    ...(violations ? { strict: (v: ResponseContractViolation) => violations.push(v) } : {}),
  });
  return app;
}

async function registrationError(a: FastifyInstance, register: () => unknown): Promise<unknown> {
  try {
    register();
    await a.ready();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('response contract at registration', () => {
  it('refuses a route that declares no response schema', async () => {
    const a = contracted();
    const err = await registrationError(a, () => a.get('/x', { ...scope, schema: {} }, () => ({})));
    expect(apiErrors.is(err, 'HW_API_ROUTE_SCHEMA_MISSING')).toBe(true);
    expect((err as Error).message).toBe('route GET /x declares no response schema');
  });

  it('refuses a route whose responses are errors only: no success answer is described', async () => {
    const a = contracted();
    const err = await registrationError(a, () =>
      a.get('/x', { ...scope, schema: answers({ '4xx': Answer }) }, () => ({})),
    );
    expect(apiErrors.is(err, 'HW_API_ROUTE_SCHEMA_MISSING')).toBe(true);
  });

  it('takes a route with a success response, and leaves the documentation routes alone', async () => {
    const a = contracted();
    const err = await registrationError(a, () => {
      a.get('/x', { ...scope, schema: answers({ 200: Answer }) }, () => ({
        id: 1,
        name: 'a',
        tags: [],
      }));
      a.get('/docs/json', () => ({}));
    });
    expect(err).toBeUndefined();
  });
});

describe('strict response check (tests)', () => {
  const withExtra = () => ({ id: 1, name: 'a', tags: ['t'], extra: 'dropped by the serializer' });

  it('without it, fastify silently drops a property the schema lacks: the danger guarded against', async () => {
    const a = contracted();
    a.get('/x', { ...scope, schema: answers({ 200: Answer }) }, withExtra);
    const res = await a.inject({ url: '/x' });
    expect([res.statusCode, res.json()]).toEqual([200, { id: 1, name: 'a', tags: ['t'] }]);
  });

  it('reports a property the schema lacks and fails the answer', async () => {
    const violations: ResponseContractViolation[] = [];
    const a = contracted(violations);
    a.get('/x', { ...scope, schema: answers({ 200: Answer }) }, withExtra);
    expect((await a.inject({ url: '/x' })).statusCode).toBe(500);
    expect(violations).toEqual([
      { method: 'GET', url: '/x', status: 200, problems: ['/extra: Unexpected property'] },
    ]);
  });

  it('reports a value the serializer would coerce (a fraction for an integer, a Date for a string)', async () => {
    const violations: ResponseContractViolation[] = [];
    const a = contracted(violations);
    const Coerced = Type.Object({ id: Type.Integer(), at: Type.Number() });
    a.get('/x', { ...scope, schema: answers({ 200: Coerced }) }, () => ({ id: 1.5, at: new Date(0) }));
    expect((await a.inject({ url: '/x' })).statusCode).toBe(500);
    expect(violations[0]?.problems).toEqual(['/id: Expected integer', '/at: Expected number']);
  });

  it('checks nested objects and array items too', async () => {
    const violations: ResponseContractViolation[] = [];
    const a = contracted(violations);
    const Nested = Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer() })) });
    a.get('/x', { ...scope, schema: answers({ 200: Nested }) }, () => ({
      items: [{ id: 1, more: true }],
    }));
    await a.inject({ url: '/x' });
    expect(violations[0]?.problems).toEqual(['/items/0/more: Unexpected property']);
  });

  it('reports a status the route declares no schema for', async () => {
    const violations: ResponseContractViolation[] = [];
    const a = contracted(violations);
    a.get('/x', { ...scope, schema: answers({ 200: Answer }) }, (_request, reply) =>
      reply.status(201).send({ id: 1, name: 'a', tags: [] }),
    );
    await a.inject({ url: '/x' });
    expect(violations[0]?.problems).toEqual(['no response schema for status 201']);
  });

  it('passes an answer that matches, and leaves schemas that allow more alone', async () => {
    const violations: ResponseContractViolation[] = [];
    const a = contracted(violations);
    const Open = Type.Object({ id: Type.Integer() }, { additionalProperties: true });
    a.get('/x', { ...scope, schema: answers({ 200: Answer }) }, () => ({ id: 1, name: 'a', tags: [] }));
    a.get('/open', { ...scope, schema: answers({ 200: Open }) }, () => ({ id: 1, more: 2 }));
    expect((await a.inject({ url: '/x' })).json()).toEqual({ id: 1, name: 'a', tags: [] });
    expect((await a.inject({ url: '/open' })).json()).toEqual({ id: 1, more: 2 });
    expect(violations).toEqual([]);
  });
});
