import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApi, PASSWORD, type TestApi } from './support/api-fixture.js';

/**
 * Issue 17 item 5: the login limit counted successful logins, never backed off failures, and
 * keyed on the proxy's address behind a reverse proxy (trustProxy could not be configured), so
 * anyone could lock `admin` out and every audit entry carried the proxy's address.
 */
type Attempt = {
  readonly user: string;
  readonly ok: boolean;
  readonly from?: string;
  /** X-Forwarded-For sent by the client (or the proxy). */
  readonly forwarded?: string;
  /** Expected answer. */
  readonly status: 200 | 401 | 429;
};

interface Case {
  readonly config?: Record<string, unknown>;
  readonly attempts: readonly Attempt[];
  /** Client address the audit log must show for the last attempt. */
  readonly auditIp?: string;
}

const times = (n: number, a: Attempt): Attempt[] => Array.from({ length: n }, () => a);
const BACKOFF = { usernameFailures: 3, addressFailures: 4, baseSec: 30, maxSec: 900, forgetAfterSec: 3600 };

const CASES: Record<string, Case> = {
  'successful logins are not counted': {
    attempts: times(8, { user: 'opE1', ok: true, status: 200 }),
  },
  'failures of one username from many addresses hold it back, with Retry-After': {
    config: { loginBackoff: BACKOFF },
    attempts: [
      { user: 'opE2', ok: false, from: '10.0.0.1', status: 401 },
      { user: 'opE2', ok: false, from: '10.0.0.2', status: 401 },
      { user: 'opE2', ok: false, from: '10.0.0.3', status: 401 },
      { user: 'opE2', ok: true, from: '10.0.0.4', status: 429 },
    ],
  },
  'failures from one address over many usernames hold the address back': {
    config: { loginBackoff: BACKOFF },
    attempts: [
      { user: 'u1', ok: false, from: '10.0.0.9', status: 401 },
      { user: 'u2', ok: false, from: '10.0.0.9', status: 401 },
      { user: 'u3', ok: false, from: '10.0.0.9', status: 401 },
      { user: 'u4', ok: false, from: '10.0.0.9', status: 401 },
      { user: 'opE1', ok: true, from: '10.0.0.9', status: 429 },
      { user: 'opE1', ok: true, from: '10.0.0.10', status: 200 },
    ],
  },
  'a successful login resets the count': {
    config: { loginBackoff: BACKOFF },
    attempts: [
      ...times(2, { user: 'opE3', ok: false, status: 401 }),
      { user: 'opE3', ok: true, status: 200 },
      ...times(2, { user: 'opE3', ok: false, status: 401 }),
      { user: 'opE3', ok: true, status: 200 },
    ],
  },
  'behind a trusted proxy (addresses), the client’s address is the one held back and audited': {
    config: { trustProxy: ['127.0.0.1/32', '::1'], loginBackoff: BACKOFF },
    attempts: [
      ...['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((client, i): Attempt => ({
        user: `u${i}`,
        ok: false,
        forwarded: client,
        status: 401,
      })),
      // All came through the proxy: only the clients' own addresses count, not the proxy's.
      { user: 'regCity', ok: true, forwarded: '203.0.113.7', status: 200 },
    ],
    auditIp: '203.0.113.7',
  },
  'behind a trusted proxy (CIDR)': {
    config: { trustProxy: ['127.0.0.0/8'] },
    attempts: [{ user: 'regCity', ok: true, forwarded: '198.51.100.7', status: 200 }],
    auditIp: '198.51.100.7',
  },
  'without trusted proxies a forged X-Forwarded-For is ignored': {
    config: { loginBackoff: BACKOFF },
    attempts: [
      ...['a', 'b', 'c', 'd'].map((u, i): Attempt => ({
        user: u,
        ok: false,
        forwarded: `192.0.2.${i}`,
        from: '10.9.9.9',
        status: 401,
      })),
      { user: 'regCity', ok: true, forwarded: '192.0.2.99', from: '10.9.9.9', status: 429 },
    ],
  },
};

describe('login backoff and trusted proxies (issue 17 item 5)', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    api = await buildTestApi(c.config ? { config: c.config } : {});
    for (const [i, a] of c.attempts.entries()) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: a.user, password: a.ok ? PASSWORD : 'wrong password!' },
        remoteAddress: a.from ?? '127.0.0.1',
        headers: a.forwarded ? { 'x-forwarded-for': a.forwarded } : {},
      });
      expect(res.statusCode, `attempt ${i}: ${res.body}`).toBe(a.status);
      if (a.status === 429) {
        expect(res.json()).toMatchObject({ code: 'HW_API_RATE_LIMITED' });
        expect(res.headers['retry-after']).toBe('30');
      }
    }
    if (c.auditIp !== undefined) {
      const { rows } = await api.client.query<{ ip: string }>(
        `SELECT ip FROM audit_log WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`,
      );
      expect(rows[0]?.ip).toBe(c.auditIp);
    }
  });

  it('refuses trusted proxies that are not addresses or CIDRs, and hop counts (fastify 5 ignores them)', async () => {
    for (const trustProxy of [['10.0.0.0/33'], ['proxy.example'], [''], ['10.0.0.1/8/1'], 1, 'true'])
      await expect(buildTestApi({ config: { trustProxy } }), JSON.stringify(trustProxy)).rejects.toThrow(
        /trustProxy/,
      );
  });

  it('audits a refresh token used twice, naming the user', async () => {
    api = await buildTestApi();
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'opE1', password: PASSWORD },
    });
    const { refreshToken } = login.json<{ refreshToken: string }>();
    const refresh = () =>
      api!.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
    expect((await refresh()).statusCode).toBe(200);
    expect((await refresh()).statusCode).toBe(401);
    const { rows } = await api.client.query<{ actor: string; target_id: string; scope_enterprise: string }>(
      `SELECT actor, target_id, scope_enterprise FROM audit_log WHERE action = 'auth.refresh_reused'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'opE1',
      target_id: login.json<{ user: { id: string } }>().user.id,
    });
  });
});
