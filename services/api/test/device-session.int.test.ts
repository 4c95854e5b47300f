import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApi, PASSWORD, type TestApi } from './support/api-fixture.js';

/**
 * A session kept on a device (the phone's 在此设备上保持登录, docs/mobile.md §7): the refresh token
 * lives in an HttpOnly SameSite=Strict cookie on the device routes, never in an answer body; it
 * rotates with reuse detection as the body's token does; sign-out and a disabled user end it.
 */
describe('session kept on a device (cookie)', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  /** The cookie's value from a Set-Cookie header, and its attributes. */
  const setCookie = (res: { headers: Record<string, unknown> }): { value: string; attrs: string } => {
    const header = res.headers['set-cookie'];
    const line = Array.isArray(header) ? String(header[0]) : String(header);
    const m = /^hw_device=([^;]*);(.*)$/.exec(line);
    if (!m) throw new Error(`no hw_device cookie in ${line}`);
    return { value: m[1]!, attrs: m[2]! };
  };
  const refresh = (a: TestApi, token: string | undefined) =>
    a.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device/refresh',
      payload: {},
      ...(token === undefined ? {} : { headers: { cookie: `other=1; hw_device=${token}` } }),
    });
  const deviceLogin = (a: TestApi, username: string, headers: Record<string, string> = {}) =>
    a.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device/login',
      payload: { username, password: PASSWORD },
      headers,
    });

  it('logs in with the refresh token in an HttpOnly cookie only, rotates it, and refuses a spent one', async () => {
    api = await buildTestApi();
    const login = await deviceLogin(api, 'opE1');
    expect(login.statusCode).toBe(200);
    const body = login.json<Record<string, unknown>>();
    expect(body).not.toHaveProperty('refreshToken');
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 604_800 });
    const first = setCookie(login);
    expect(first.attrs).toBe(' Path=/api/v1/auth/device; Max-Age=604800; HttpOnly; SameSite=Strict');
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${String(body['accessToken'])}` },
    });
    expect(me.json()).toMatchObject({ username: 'opE1' });

    const rotated = await refresh(api, first.value);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json<Record<string, unknown>>()).not.toHaveProperty('refreshToken');
    const second = setCookie(rotated);
    expect(second.value).not.toBe(first.value);
    expect(second.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The spent cookie again (two tabs that did not wait for each other): the family is revoked,
    // the device told to forget the cookie, and its successor is dead too.
    const reuse = await refresh(api, first.value);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ code: 'HW_API_REFRESH_INVALID' });
    expect(setCookie(reuse)).toMatchObject({ value: '' });
    expect(setCookie(reuse).attrs).toContain('Max-Age=0');
    expect((await refresh(api, second.value)).statusCode).toBe(401);
    // No cookie at all: refused, not a server error.
    expect((await refresh(api, undefined)).statusCode).toBe(401);
  });

  it('signs out on the device (family revoked, cookie cleared), and a disabled user is refused', async () => {
    api = await buildTestApi();
    const first = setCookie(await deviceLogin(api, 'opE1'));
    const next = setCookie(await refresh(api, first.value));
    const out = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/device/logout',
      payload: {},
      headers: { cookie: `hw_device=${next.value}` },
    });
    expect(out.statusCode).toBe(204);
    expect(setCookie(out)).toMatchObject({ value: '' });
    expect((await refresh(api, next.value)).statusCode).toBe(401);
    // The fixture's own logins come first; then this device's login, its sign-out, and the revoked
    // token presented after it.
    const audited = await api.client.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE actor = 'opE1' AND action LIKE 'auth.%' ORDER BY id`,
    );
    expect(audited.rows.map((r) => r.action).slice(-3)).toEqual([
      'auth.login',
      'auth.logout',
      'auth.refresh_reused',
    ]);

    const kept = setCookie(await deviceLogin(api, 'opE2'));
    const { rows } = await api.client.query<{ id: string }>(
      `SELECT id::text FROM users WHERE username = 'opE2'`,
    );
    const disabled = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${rows[0]!.id}`,
      headers: api.auth('admin'),
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect((await refresh(api, kept.value)).statusCode).toBe(401);
  });

  it('marks the cookie Secure when the request came over TLS through a trusted proxy', async () => {
    api = await buildTestApi({ config: { trustProxy: ['127.0.0.0/8'] } });
    const login = await deviceLogin(api, 'opE1', { 'x-forwarded-proto': 'https' });
    expect(login.statusCode).toBe(200);
    expect(setCookie(login).attrs).toContain('; Secure');
  });
});
