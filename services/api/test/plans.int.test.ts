import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAN_MAX_BYTES } from '@hazardwatch/api';
import { AuditRepository } from '@hazardwatch/store';
import { buildTestApi, E1, NOW, PASSWORD, type TestApi, type TestUser } from './support/api-fixture.js';
import { pngImage, SVG_PLAN } from './support/images.js';

const base = `/api/v1/enterprises/${E1}/plans`;
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";

describe('floor plans', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi();
  });
  afterAll(() => api.close());

  const put = (user: TestUser, plan: string, contentType: string, payload: Buffer | string) =>
    api.app.inject({
      method: 'PUT',
      url: `${base}/${plan}`,
      headers: { ...api.auth(user), 'content-type': contentType },
      payload,
    });
  const get = (user: TestUser, url: string) =>
    api.app.inject({ method: 'GET', url, headers: api.auth(user) });

  it('stores a PNG, replaces it, lists it and serves it back with safe headers, audited without bytes', async () => {
    const first = pngImage(320, 200);
    const created = await put('smE1', 'main', 'image/png', first);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      enterprise: E1,
      plan: 'main',
      contentType: 'image/png',
      size: first.length,
      width: 320,
      height: 200,
      updatedAt: NOW,
      updatedBy: 'smE1',
    });
    const second = pngImage(640, 480);
    const replaced = await put('admin', 'main', 'image/png', second);
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ width: 640, height: 480, updatedBy: 'admin' });

    const image = await get('viewerCounty', `${base}/main`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    // The site-wide policy (issue 17 item 8); only SVGs get their own, stricter one.
    expect(image.headers['content-security-policy']).toContain("default-src 'self'");
    expect(image.rawPayload.equals(second)).toBe(true);

    const list = await get('regCity', base);
    expect(list.json()).toEqual({ items: [replaced.json()] });

    const audit = await new AuditRepository(api.client).query({ action: 'plan.', limit: 10, offset: 0 });
    expect(audit.items.map((e) => [e.action, e.actor, e.targetId, e.scopeEnterprise])).toEqual([
      ['plan.put', 'admin', `${E1}/main`, E1],
      ['plan.put', 'smE1', `${E1}/main`, E1],
    ]);
    expect(audit.items[0]).toMatchObject({ before: { width: 320 }, after: { width: 640 } });
    expect(audit.items[1]!.before).toBeNull();
    expect(JSON.stringify(audit.items)).not.toContain('bytes');
  });

  it('serves an SVG with a content security policy that forbids script', async () => {
    const created = await put('smE1', 'CL-TF01', 'image/svg+xml; charset=utf-8', SVG_PLAN);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ contentType: 'image/svg+xml', width: 800, height: 600 });
    const image = await get('opE1', `${base}/CL-TF01`);
    expect(image.headers['content-type']).toBe('image/svg+xml');
    expect(image.headers['content-security-policy']).toBe(SVG_CSP);
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    expect(image.body).toBe(SVG_PLAN);
  });

  it('refuses other media types, bad images, oversized bodies and malicious SVG', async () => {
    const cases: Array<[string, string | Buffer, number, string]> = [
      ['application/json', JSON.stringify({ svg: SVG_PLAN }), 415, 'HW_API_REQUEST_REJECTED'],
      ['text/html', '<svg/>', 415, 'HW_API_REQUEST_REJECTED'],
      ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff]), 415, 'HW_API_REQUEST_REJECTED'],
      ['image/png', SVG_PLAN, 400, 'HW_API_PLAN_INVALID'],
      ['image/svg+xml', pngImage(2, 2), 400, 'HW_API_PLAN_INVALID'],
      ['image/svg+xml', '<svg onload="alert(1)"/>', 400, 'HW_API_PLAN_INVALID'],
      ['image/svg+xml', '<svg><script>fetch("/api/v1/users")</script></svg>', 400, 'HW_API_PLAN_INVALID'],
      [
        'image/svg+xml',
        '<svg><image href="https://tracker.example/p.png"/></svg>',
        400,
        'HW_API_PLAN_INVALID',
      ],
      ['image/png', Buffer.alloc(PLAN_MAX_BYTES + 1), 413, 'HW_API_REQUEST_REJECTED'],
    ];
    for (const [contentType, payload, status, code] of cases) {
      const res = await put('admin', 'bad', contentType, payload);
      expect(res.statusCode, `${contentType}: ${res.body}`).toBe(status);
      expect(res.json()).toMatchObject({ code });
    }
    expect((await get('admin', `${base}/bad`)).statusCode).toBe(404);
    // JSON bodies still work on every other route (the image parsers are scoped to these routes).
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'opE1', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
  });

  it('lets only admins and the enterprise safety manager write, anyone in scope read (issue #19)', async () => {
    const png = pngImage(8, 8);
    for (const user of ['opE1', 'regCounty', 'viewerCounty', 'opE2', 'regOther'] as const) {
      const res = await put(user, 'scoped', 'image/png', png);
      expect(res.statusCode, `${user}: ${res.body}`).toBe(403);
      const del = await api.app.inject({ method: 'DELETE', url: `${base}/main`, headers: api.auth(user) });
      expect(del.statusCode, user).toBe(403);
    }
    for (const user of ['opE2', 'opE3', 'regOther'] as const) {
      expect((await get(user, base)).statusCode, user).toBe(403);
      expect((await get(user, `${base}/main`)).statusCode, user).toBe(403);
    }
    expect((await get('admin', '/api/v1/enterprises/NOPE/plans')).statusCode).toBe(404);
  });

  it('deletes a plan, audited, and answers 404 for one that does not exist', async () => {
    await put('smE1', 'to-delete', 'image/png', pngImage(1, 1));
    const del = await api.app.inject({
      method: 'DELETE',
      url: `${base}/to-delete`,
      headers: api.auth('smE1'),
    });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toMatchObject({ plan: 'to-delete', width: 1 });
    const again = await api.app.inject({
      method: 'DELETE',
      url: `${base}/to-delete`,
      headers: api.auth('smE1'),
    });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ code: 'HW_API_NOT_FOUND' });
    const audit = await new AuditRepository(api.client).query({
      action: 'plan.delete',
      limit: 10,
      offset: 0,
    });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actor: 'smE1', before: { plan: 'to-delete' }, after: null });
  });
});
