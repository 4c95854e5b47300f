import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, type TestApi } from './support/api-fixture.js';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

let api: TestApi;
let doc: OpenApi;
beforeAll(async () => {
  api = await buildTestApi();
  const res = await api.app.inject({ url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json<OpenApi>();
});
afterAll(() => api.close());

const schemaOf = (path: string, method: string, status: string) =>
  doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;

describe('OpenAPI document: every route shows its response contract', () => {
  it('lists a success answer and the { code, message } error for every operation', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        path,
        method,
        codes: Object.keys(op.responses ?? {}),
      })),
    );
    expect(operations.length).toBeGreaterThan(40);
    const missing = operations.filter(
      (o) => !o.codes.some((c) => /^[23]/.test(c)) || !o.codes.includes('4XX') || !o.codes.includes('5XX'),
    );
    expect(missing).toEqual([]);
    expect(schemaOf('/api/v1/alarms/{id}', 'get', '4XX')).toMatchObject({
      required: ['code', 'message'],
    });
  });

  it('describes the bodies with the contracts: an alarm row, the overview, a 预警', () => {
    const alarmPage = schemaOf('/api/v1/alarms/active', 'get', '200') as {
      properties: { items: { items: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(alarmPage.properties.items.items.properties)).toEqual(
      expect.arrayContaining(['id', 'condition', 'state', 'colour', 'raisedAt', 'late']),
    );
    expect(schemaOf('/api/v1/regions/{code}/overview', 'get', '200')).toMatchObject({
      properties: { stalePoints: { properties: { count: { type: 'integer' } } } },
    });
    expect(schemaOf('/api/v1/warnings/{id}', 'get', '200')).toMatchObject({
      properties: { colour: { anyOf: expect.any(Array) }, events: { type: 'array' } },
    });
    expect(doc.paths['/api/v1/auth/logout']?.['post']?.responses).toHaveProperty('204');
  });
});
