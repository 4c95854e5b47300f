import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApi, PASSWORD, type TestApi } from './support/api-fixture.js';
import { storeErrors } from '@hazardwatch/store';

describe('authentication, errors and health', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const login = (a: TestApi, username: string, password = PASSWORD) =>
    a.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: '10.1.1.1',
    });

  it('logs in, rotates the refresh token once, detects reuse and logs out', async () => {
    api = await buildTestApi();
    const first = await login(api, 'regCounty');
    expect(first.statusCode).toBe(200);
    const pair = first.json<{
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      user: { role: string };
    }>();
    expect(pair).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { role: 'regulator', regionCode: '320623' },
    });
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    expect(me.json()).toMatchObject({ username: 'regCounty', role: 'regulator' });

    const refreshed = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: pair.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json<{ refreshToken: string }>();
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    // The spent token again: refused, and its successor is revoked with it.
    const reuse = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: pair.refreshToken },
    });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toEqual({
      code: 'HW_API_REFRESH_INVALID',
      message: 'refresh token is invalid, expired or already used',
    });
    expect(
      (
        await api.app.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: next.refreshToken },
        })
      ).statusCode,
    ).toBe(401);

    const again = (await login(api, 'regCounty')).json<{ refreshToken: string }>();
    expect(
      (
        await api.app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          payload: { refreshToken: again.refreshToken },
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await api.app.inject({
          method: 'POST',
          url: '/api/v1/auth/refresh',
          payload: { refreshToken: again.refreshToken },
        })
      ).statusCode,
    ).toBe(401);

    const audit = await api.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=auth.',
      headers: api.auth('admin'),
    });
    const actions = audit
      .json<{ items: Array<{ action: string; actor: string; ip: string }> }>()
      .items.filter((e) => e.actor === 'regCounty');
    // Newest first. Each spent or revoked token presented again is audited (issue 17 item 5): the
    // reused one, its successor revoked with it, and the one revoked by the logout.
    expect(actions.map((e) => e.action)).toEqual([
      'auth.refresh_reused',
      'auth.logout',
      'auth.login',
      'auth.refresh_reused',
      'auth.refresh_reused',
      'auth.login',
      'auth.login',
    ]);
  });

  it('answers a wrong password and an unknown user alike, and backs off failures per username', async () => {
    api = await buildTestApi({ config: { loginBackoff: { usernameFailures: 3 } } });
    const wrong = await login(api, 'opE1', 'wrong password!');
    const unknown = await login(api, 'nobody', 'wrong password!');
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toMatchObject({ code: 'HW_API_LOGIN_FAILED' });
    await login(api, 'opE1', 'wrong password!');
    await login(api, 'opE1', 'wrong password!');
    const limited = await login(api, 'opE1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'HW_API_RATE_LIMITED' });
    expect(limited.headers['retry-after']).toBeDefined();
    // Another username from the same address is not held back (the fixture's logins came from 127.0.0.1).
    expect((await login(api, 'opE2')).statusCode).toBe(200);
  });

  it('refuses missing, forged and expired access tokens with 401', async () => {
    api = await buildTestApi();
    const get = (authorization?: string) =>
      api!.app.inject({
        method: 'GET',
        url: '/api/v1/enterprises',
        headers: authorization ? { authorization } : {},
      });
    expect((await get()).json()).toMatchObject({ code: 'HW_API_UNAUTHENTICATED' });
    const [h, b] = api.tokens.admin.split('.');
    expect((await get(`Bearer ${h}.${b}.AAAA`)).statusCode).toBe(401);
    expect((await get('Basic YWRtaW46YWRtaW4=')).statusCode).toBe(401);
    const later = await buildTestApi({ deps: { now: () => Date.UTC(2026, 2, 2, 9, 0, 0) } });
    try {
      const expired = await later.app.inject({
        method: 'GET',
        url: '/api/v1/enterprises',
        headers: { authorization: `Bearer ${api.tokens.admin}` },
      });
      expect(expired.statusCode).toBe(401);
    } finally {
      await later.close();
    }
  });

  it('rejects unknown query parameters and body properties with a coded 400', async () => {
    api = await buildTestApi();
    const query = await api.app.inject({
      method: 'GET',
      url: '/api/v1/enterprises?colour=red',
      headers: api.auth('admin'),
    });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toEqual({
      code: 'HW_API_VALIDATION',
      message: "invalid request: querystring: unknown property 'colour'",
    });
    const body = await api.app.inject({
      method: 'POST',
      url: '/api/v1/alarms/alarm-e1/ack',
      headers: api.auth('admin'),
      payload: { comment: 'x', force: true },
    });
    expect(body.statusCode).toBe(400);
    expect(body.json()).toMatchObject({ code: 'HW_API_VALIDATION' });
    const bad = await api.app.inject({
      method: 'GET',
      url: '/api/v1/points/1/history?from=10&to=5',
      headers: api.auth('admin'),
    });
    expect(bad.json()).toMatchObject({ code: 'HW_API_RANGE_INVALID' });
    const route = await api.app.inject({ method: 'GET', url: '/api/v1/nothing' });
    expect(route.json()).toMatchObject({ code: 'HW_API_ROUTE_NOT_FOUND' });
  });

  it('answers 5xx without internals', async () => {
    let broken = false;
    api = await buildTestApi();
    const site = api.site;
    const failing = await buildTestApi({
      deps: {
        site: {
          current: () => {
            if (broken) throw new Error('password=hunter2 at /srv/hazardwatch/secret.ts:42');
            return site;
          },
        },
      },
    });
    try {
      broken = true;
      const res = await failing.app.inject({
        method: 'GET',
        url: '/api/v1/regions',
        headers: failing.auth('admin'),
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ code: 'HW_API_INTERNAL', message: 'internal error' });
      expect(res.body).not.toContain('hunter2');
    } finally {
      await failing.close();
    }
  });

  it('answers 503 with retry-after, not 500, while the database is away', async () => {
    // whole-service-failures int: with the database cut, every REST call answered 500 internal error.
    let failure: Error | undefined;
    api = await buildTestApi();
    const site = api.site;
    const failing = await buildTestApi({
      deps: {
        site: {
          current: () => {
            if (failure !== undefined) throw failure;
            return site;
          },
        },
      },
    });
    try {
      const lost = storeErrors.create('HW_STORE_CONNECTION_LOST', { operation: 'query' });
      const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01',
      });
      for (const f of [lost, shutdown]) {
        failure = f;
        const res = await failing.app.inject({
          method: 'GET',
          url: '/api/v1/regions',
          headers: failing.auth('admin'),
        });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.json()).toEqual({
          code: 'HW_API_DATABASE_UNAVAILABLE',
          message: 'the database is unavailable; try again shortly',
        });
      }
      // A fault that waiting does not cure stays a 500.
      failure = Object.assign(new Error('duplicate key'), { code: '23505' });
      const res = await failing.app.inject({
        method: 'GET',
        url: '/api/v1/regions',
        headers: failing.auth('admin'),
      });
      expect(res.statusCode).toBe(500);
    } finally {
      await failing.close();
    }
  });

  it('reports liveness, readiness with injected probes, metrics (to the process) and the OpenAPI document', async () => {
    let brokerUp = true;
    api = await buildTestApi({
      deps: {
        readiness: { broker: () => brokerUp },
        metricsText: () => '# HELP ingest_x x\n# TYPE ingest_x counter\ningest_x 1\n',
      },
    });
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await api.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      ready: true,
      checks: { database: true, broker: true },
    });
    brokerUp = false;
    const down = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect([down.statusCode, down.json()]).toEqual([
      503,
      { ready: false, checks: { database: true, broker: false } },
    ]);
    await api.app.inject({ method: 'GET', url: '/api/v1/enterprises', headers: api.auth('admin') });
    // Not on the public port (metrics-internal.int.test.ts): the process serves them internally.
    const metrics = await api.app.metrics.text();
    expect(metrics).toContain(
      'hazardwatch_http_request_duration_seconds_count{method="GET",route="/api/v1/enterprises",status="200"} 1',
    );
    expect(metrics).toContain('hazardwatch_active_alarms{colour="red"} 2');
    expect(metrics).toContain('ingest_x 1');
    const docs = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json<{ paths: object }>().paths)).toContain('/api/v1/alarms/{id}/shelve');
  });
});
