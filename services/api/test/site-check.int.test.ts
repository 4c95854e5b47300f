import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteCheckResult } from '@hazardwatch/contracts';
import { latestSiteDocument } from '@hazardwatch/store';
import { buildTestApi, E1, E3, type TestApi, type TestUser } from './support/api-fixture.js';

/**
 * POST /site/check (issue #22, the admin screens): an edit checked like the write — the site-file
 * rules of `site check` — nothing stored, each finding placed on the field of the edited entity.
 */
describe('POST /site/check', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  const check = (user: TestUser, body: object) =>
    api.app.inject({ method: 'POST', url: '/api/v1/site/check', headers: api.auth(user), payload: body });
  const updateLt1101 = (patch: object) => ({
    op: 'update',
    entity: 'point',
    key: { enterprise: E1, tag: 'LT-1101' },
    patch,
  });

  it('places a limit out of order on its field, with the message of `site check`, and stores nothing', async () => {
    const before = (await latestSiteDocument(api.client))!.version;
    const res = await check('smE1', updateLt1101({ limits: { h: 90 } }));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<SiteCheckResult>();
    expect(body.ok).toBe(false);
    expect(body.errors).toEqual([
      expect.objectContaining({
        rule: 'LIMIT_ORDER',
        field: 'limits.hh',
        path: expect.stringMatching(/^\/points\/\d+\/limits\/hh$/),
      }),
    ]);
    expect(body.errors[0]!.message).toMatch(/^point 91320623MA1W000001\/LT-1101: .*\[LIMIT_ORDER; /);
    expect((await latestSiteDocument(api.client))!.version).toBe(before);
  });

  it('accepts a valid edit and says what it would weaken (a reason will be asked)', async () => {
    const body = (await check('admin', updateLt1101({ limits: { h: 82 } }))).json<SiteCheckResult>();
    expect(body).toMatchObject({ ok: true, errors: [], weakens: ['monitoring.limit.weaken'] });
    expect(body.value).toMatchObject({ tag: 'LT-1101', limits: { ll: 10, l: 20, h: 82, hh: 85 } });
    const tighter = (await check('smE1', updateLt1101({ limits: { h: 75 } }))).json<SiteCheckResult>();
    expect(tighter).toMatchObject({ ok: true, weakens: [] });
  });

  it('names a missing required field of a new entity', async () => {
    const res = await check('smE1', {
      op: 'create',
      entity: 'gateway',
      value: { code: 'GW09', enterprise: E1 },
    });
    const body = res.json<SiteCheckResult>();
    expect(body.ok).toBe(false);
    expect(body.errors).toEqual([expect.objectContaining({ rule: 'SCHEMA_MISSING_KEY', field: 'name' })]);
  });

  it('answers an unknown entity 404 and an existing one 409, like the write', async () => {
    const unknown = await check('admin', {
      ...updateLt1101({ name: 'x' }),
      key: { enterprise: E1, tag: 'NOPE-1' },
    });
    expect(unknown.statusCode).toBe(404);
    const exists = await check('admin', {
      op: 'create',
      entity: 'gateway',
      value: { code: 'GW01', enterprise: E1, name: '重复' },
    });
    expect(exists.json()).toMatchObject({ code: 'HW_API_SITE_ENTITY_EXISTS' });
  });

  it('refuses an operator (the write is not theirs) and a safety manager outside its enterprise, audited', async () => {
    const operator = await check('opE1', updateLt1101({ name: 'x' }));
    expect(operator.statusCode).toBe(403);
    expect(operator.json()).toMatchObject({ code: 'HW_API_FORBIDDEN' });
    const outside = await check('smE1', {
      op: 'update',
      entity: 'point',
      key: { enterprise: E3, tag: 'TT-3101' },
      patch: { name: 'x' },
    });
    expect(outside.statusCode).toBe(403);
    expect(outside.json<{ message: string }>().message).toContain(`enterprise ${E3} is outside your scope`);
    const { rows } = await api.client.query<{ actor: string; action: string }>(
      `SELECT actor, action FROM audit_log WHERE target_id = 'POST /api/v1/site/check' ORDER BY id`,
    );
    expect(rows).toEqual([
      { actor: 'opE1', action: 'authority.refused' },
      { actor: 'smE1', action: 'access.denied' },
    ]);
  });
});
