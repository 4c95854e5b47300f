import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import {
  apiErrors,
  compileApiConfig,
  DEFAULT_AUTHORITY_TABLE,
  installErrorHandler,
  installScopeGuard,
  type ScopeRule,
} from '@hazardwatch/api';

describe('API error registry', () => {
  it('uses HW_API_ codes, and every 4xx/5xx status is a valid HTTP error status', () => {
    for (const code of apiErrors.codes) {
      expect(code).toMatch(/^HW_API_[A-Z_]+$/);
      const status = (apiErrors.specs[code] as { status?: number }).status;
      if (status !== undefined) expect(status >= 400 && status < 600).toBe(true);
    }
    const e = apiErrors.create('HW_API_NOT_FOUND', { kind: 'alarm', id: 'a1' });
    expect([e.message, e.status, apiErrors.is(e, 'HW_API_NOT_FOUND')]).toEqual(['no alarm a1', 404, true]);
  });
});

describe('API configuration', () => {
  it('applies defaults and compiles seconds to milliseconds', () => {
    const s = compileApiConfig({ auth: { jwtSecret: 's'.repeat(32) } });
    expect(s).toMatchObject({
      host: '0.0.0.0',
      port: 3000,
      docs: true,
      auth: { accessTokenTtlMs: 900_000, refreshTokenTtlMs: 604_800_000 },
      trustProxy: false,
      loginBackoff: { usernameFailures: 5, addressFailures: 20, baseMs: 30_000, maxMs: 900_000 },
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('takes tile origins for the CSP, refusing anything that could add a directive', () => {
    const base = { auth: { jwtSecret: 's'.repeat(32) } };
    expect(compileApiConfig({ ...base, tileOrigins: ['https://*.tianditu.gov.cn'] }).tileOrigins).toEqual([
      'https://*.tianditu.gov.cn',
    ]);
    for (const bad of [
      "https://x; script-src 'unsafe-inline'",
      'https://x/tiles',
      "'unsafe-eval'",
      'https://a b',
    ])
      expect(() => compileApiConfig({ ...base, tileOrigins: [bad] }), bad).toThrow(/tileOrigins/);
  });

  it('names a short secret and an unknown key', () => {
    const err: unknown = (() => {
      try {
        return compileApiConfig({ auth: { jwtSecret: 'short' }, cors: true });
      } catch (e) {
        return e;
      }
    })();
    expect(apiErrors.is(err, 'HW_API_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('unknown key cors');
    expect((err as Error).message).toContain('auth.jwtSecret');
  });
});

describe('authority overrides in the API configuration (issue #19)', () => {
  const base = { auth: { jwtSecret: 's'.repeat(32) } };
  const problem = (authority: unknown): string => {
    try {
      compileApiConfig({ ...base, authority });
      return '';
    } catch (e) {
      expect(apiErrors.is(e, 'HW_API_CONFIG_INVALID')).toBe(true);
      return (e as Error).message;
    }
  };

  it('defaults to the table of docs/authority.md, frozen', () => {
    const s = compileApiConfig(base);
    expect(s.authority).toEqual(DEFAULT_AUTHORITY_TABLE);
    expect(Object.isFrozen(s.authority)).toBe(true);
  });

  it('applies overrides per action and role, leaving the rest as the defaults', () => {
    const s = compileApiConfig({
      ...base,
      authority: {
        'monitoring.point.disable': { safety_manager: 'approval' },
        'alarm.comment': { regulator_county: 'refuse', viewer: 'allow' },
      },
    });
    expect(s.authority['monitoring.point.disable'].verdicts.safety_manager).toBe('approval');
    expect(s.authority['alarm.comment'].verdicts).toMatchObject({
      regulator_county: 'refuse',
      viewer: 'allow',
    });
    expect(s.authority['alarm.comment'].verdicts.regulator_city).toBe('allow');
    expect(s.authority['alarm.ack']).toEqual(DEFAULT_AUTHORITY_TABLE['alarm.ack']);
    expect(Object.isFrozen(s.authority['alarm.comment'].verdicts)).toBe(true);
    expect(DEFAULT_AUTHORITY_TABLE['alarm.comment'].verdicts.regulator_county).toBe('allow');
  });

  it('names an unknown action, an unknown role, a bad verdict and approval where none can wait', () => {
    expect(problem({ 'alarm.destroy': { admin: 'allow' } })).toContain(
      'authority.alarm.destroy: unknown action',
    );
    expect(problem({ 'alarm.ack': { regulator: 'allow' } })).toContain(
      'authority.alarm.ack.regulator: unknown role',
    );
    expect(problem({ 'alarm.ack': { operator: 'maybe' } })).toContain('authority.alarm.ack.operator');
    expect(problem({ 'alarm.ack': { operator: 'approval' } })).toContain(
      'authority.alarm.ack.operator: approval is only for monitoring.* changes',
    );
    expect(problem({ 'alarm.ack': 'allow' })).toContain('authority');
  });
});

/** The error a route registration raises, at once or when the app becomes ready. */
async function registrationError(app: FastifyInstance, register: () => unknown): Promise<unknown> {
  try {
    register();
    await app.ready();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('scope guard at registration', () => {
  const guarded = (role: 'viewer' | 'operator' | 'none' = 'none') => {
    const app = Fastify();
    installErrorHandler(app);
    installScopeGuard(app, {
      site: () => undefined,
      authority: DEFAULT_AUTHORITY_TABLE,
      authenticate: () =>
        Promise.resolve(
          role === 'none'
            ? { ok: false, code: 'HW_API_UNAUTHENTICATED', reason: 'none' }
            : {
                ok: true,
                principal: { userId: 'u1', username: 'u1', role, regionCode: null, enterpriseCode: null },
              },
        ),
      alarmEnterprise: () => Promise.resolve(undefined),
      warningEnterprise: () => Promise.resolve(undefined),
    });
    return app;
  };

  it('refuses to build an app with a route that declares no scope rule', async () => {
    const app = guarded();
    const err = await registrationError(app, () =>
      app.get('/api/v1/forgotten', { schema: { querystring: Type.Object({}) } }, () => ({})),
    );
    expect(apiErrors.is(err, 'HW_API_ROUTE_SCOPE_MISSING')).toBe(true);
    await app.close();
  });

  it('refuses a route without a querystring schema, so unknown parameters could slip through', async () => {
    const app = guarded();
    const err = await registrationError(app, () =>
      app.get('/x', { config: { scope: { kind: 'any', action: 'site.read' } } }, () => ({})),
    );
    expect(apiErrors.is(err, 'HW_API_ROUTE_SCHEMA_MISSING')).toBe(true);
    await app.close();
  });

  it('refuses a non-public route that names no authority action (issue #19)', async () => {
    const app = guarded();
    const err = await registrationError(app, () =>
      app.get(
        '/api/v1/undecided',
        { config: { scope: { kind: 'any' } as ScopeRule }, schema: { querystring: Type.Object({}) } },
        () => ({}),
      ),
    );
    expect(apiErrors.is(err, 'HW_API_ROUTE_ACTION_MISSING')).toBe(true);
    expect((err as Error).message).toContain('GET /api/v1/undecided');
    await app.close();
  });

  it('refuses a duty field naming an unknown action', async () => {
    const app = guarded();
    const err = await registrationError(app, () =>
      app.patch(
        '/x',
        {
          config: {
            scope: {
              kind: 'any',
              action: 'site.read',
              fields: { region: 'site.move' },
            } as unknown as ScopeRule,
          },
          schema: { querystring: Type.Object({}), body: Type.Object({}) },
        },
        () => ({}),
      ),
    );
    expect(apiErrors.is(err, 'HW_API_ROUTE_ACTION_UNKNOWN')).toBe(true);
    await app.close();
  });

  it('refuses a table giving `approval` to an action that cannot wait for one', () => {
    const table = {
      ...DEFAULT_AUTHORITY_TABLE,
      'alarm.ack': {
        summary: 'x',
        verdicts: { ...DEFAULT_AUTHORITY_TABLE['alarm.ack'].verdicts, operator: 'approval' },
      },
    } as const;
    const err: unknown = (() => {
      try {
        installScopeGuard(Fastify(), {
          site: () => undefined,
          authority: table,
          authenticate: () => Promise.resolve({ ok: false, code: 'HW_API_UNAUTHENTICATED', reason: 'none' }),
          alarmEnterprise: () => Promise.resolve(undefined),
          warningEnterprise: () => Promise.resolve(undefined),
        });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(apiErrors.is(err, 'HW_API_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('authority.alarm.ack.operator');
  });

  it('refuses a route naming an action the authority table does not have', async () => {
    const app = guarded();
    const err = await registrationError(app, () =>
      app.get(
        '/x',
        {
          config: { scope: { kind: 'any', action: 'alarm.destroy' } as unknown as ScopeRule },
          schema: { querystring: Type.Object({}) },
        },
        () => ({}),
      ),
    );
    expect(apiErrors.is(err, 'HW_API_ROUTE_ACTION_UNKNOWN')).toBe(true);
    await app.close();
  });

  it("answers 403 naming the action and the role when the table refuses the caller's role", async () => {
    const app = guarded('viewer');
    app.post(
      '/ack',
      {
        config: { scope: { kind: 'any', action: 'alarm.ack' } },
        schema: { querystring: Type.Object({}), body: Type.Object({}) },
      },
      () => ({ ok: true }),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/ack',
      payload: {},
      headers: { authorization: 'Bearer t' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'HW_API_FORBIDDEN' });
    expect(res.json<{ message: string }>().message).toContain('alarm.ack');
    expect(res.json<{ message: string }>().message).toContain('viewer');
    await app.close();
  });

  it('lets an allowed role through and marks the request with its verdict', async () => {
    const app = guarded('operator');
    app.post(
      '/ack',
      {
        config: { scope: { kind: 'any', action: 'alarm.ack' } },
        schema: { querystring: Type.Object({}), body: Type.Object({}) },
      },
      (request) => ({ verdict: request.verdict }),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/ack',
      payload: {},
      headers: { authorization: 'Bearer t' },
    });
    expect([res.statusCode, res.json()]).toEqual([200, { verdict: 'allow' }]);
    await app.close();
  });
});
