import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApi, E1, type TestApi } from './support/api-fixture.js';

/**
 * Issuing a gateway credential takes no input but the path, yet the route answered 400 unless the
 * request carried a JSON body `{}` (and its content type), which the guide did not show: a POST
 * with no body is the natural call (`curl -X POST …/credentials`).
 */
describe('POST …/gateways/:gateway/credentials without a body', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(async () => {
    await api.close();
  });
  const url = `/api/v1/enterprises/${E1}/gateways/GW01/credentials`;

  it('issues the credential for a POST with no body and no content type', async () => {
    const res = await api.app.inject({ method: 'POST', url, headers: api.auth('admin') });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ username: `${E1}.GW01`, secret: expect.any(String) });
  });

  it('still takes {} and still refuses a body with keys', async () => {
    const empty = await api.app.inject({ method: 'POST', url, headers: api.auth('admin'), payload: {} });
    expect(empty.statusCode).toBe(201);
    const extra = await api.app.inject({
      method: 'POST',
      url,
      headers: api.auth('admin'),
      payload: { secret: 'mine' },
    });
    expect(extra.statusCode).toBe(400);
  });
});
