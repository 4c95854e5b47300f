import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DEFAULT_ALARM_SETTINGS, type SiteIndex } from '@hazardwatch/core';
import { buildApiApp, createUser, type LiveGateway } from '@hazardwatch/api';
import type { LiveValue } from '@hazardwatch/contracts';
import {
  buildTestApi,
  COUNTY_A,
  COUNTY_B,
  E1,
  E2,
  NOW,
  PASSWORD,
  silentLogger,
  TEST_COST,
  type TestApi,
} from './support/api-fixture.js';
import { pngImage } from './support/images.js';
import {
  attachTo,
  client,
  connected,
  next,
  record,
  recordValues,
  SETTINGS,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/**
 * Issue 17 items 2 and 3: access must not outlive its grant. A user disabled, deleted, or given
 * another role or scope loses REST and live access within seconds (not when the 15-minute access
 * token expires), and a socket leaves the rooms a site change put out of its scope.
 */

/** Bounded poll: `probe` until it returns true, at most `withinMs`. */
async function within(withinMs: number, probe: () => Promise<boolean> | boolean): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let api: TestApi;
let gateway: LiveGateway;
let source: TestLiveSource;
let url: string;
/** The site model in force: site edits through the API replace it (as the CLI's site source does). */
let site: SiteIndex | undefined;
const clients: LiveClient[] = [];

beforeAll(async () => {
  api = await buildTestApi({
    deps: {
      site: {
        current: () => site,
        replaced: (next) => {
          site = next.index;
        },
      },
    },
  });
  site = api.site;
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  source = new TestLiveSource();
  gateway = await attachTo(api, api.app.server, { source, site: { current: () => site } });
  url = urlOf(api.app.server);
});

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(async () => {
  await gateway.close();
  await api.close();
});

const admin = () => api.auth('admin');

interface Session {
  readonly id: string;
  readonly username: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** A fresh safety manager of E1 (may store floor plans, issue #19), logged in. */
async function safetyManagerOfE1(username: string): Promise<Session> {
  const user = await createUser(
    api.client,
    { username, password: PASSWORD, role: 'safety_manager', enterpriseCode: E1 },
    { cost: TEST_COST },
  );
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: PASSWORD },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<{ accessToken: string; refreshToken: string }>();
  return { id: user.id, username, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

const putPlan = (token: string) =>
  api.app.inject({
    method: 'PUT',
    url: `/api/v1/enterprises/${E1}/plans/main`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    payload: pngImage(2, 2),
  });
const readPlans = (token: string) =>
  api.app.inject({
    method: 'GET',
    url: `/api/v1/enterprises/${E1}/plans`,
    headers: { authorization: `Bearer ${token}` },
  });

async function liveIn(token: string, scopes: Parameters<LiveClient['emit']>[1]): Promise<LiveClient> {
  const c = client(url, token);
  clients.push(c);
  await connected(c);
  const joined = await c.timeout(5000).emitWithAck('subscribe', scopes as never);
  expect(joined).toMatchObject({ ok: true });
  return c;
}

const CHANGES: ReadonlyArray<{
  readonly name: string;
  readonly change: (id: string) => Promise<LightMyRequestResponse>;
  readonly audited: string;
}> = [
  {
    name: 'disabled',
    change: (id) =>
      api.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: admin(),
        payload: { disabled: true },
      }),
    audited: 'user.disable',
  },
  {
    name: 'deleted',
    change: (id) => api.app.inject({ method: 'DELETE', url: `/api/v1/users/${id}`, headers: admin() }),
    audited: 'user.delete',
  },
  {
    name: 'role changed (safety manager → viewer)',
    change: (id) =>
      api.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: admin(),
        payload: { role: 'viewer', regionCode: COUNTY_A },
      }),
    audited: 'user.update',
  },
  {
    name: 'scope changed (E1 → E2)',
    change: (id) =>
      api.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: admin(),
        payload: { enterpriseCode: E2 },
      }),
    audited: 'user.update',
  },
];

describe('a user change ends the user’s sessions within seconds', () => {
  CHANGES.forEach(({ name, change, audited }, i) => {
    it(`${name}: REST write and read with the old token, the refresh token and the live socket are refused`, async () => {
      const s = await safetyManagerOfE1(`victim-${i}`);
      expect((await putPlan(s.accessToken)).statusCode).toBeLessThan(300);
      expect((await readPlans(s.accessToken)).statusCode).toBe(200);
      const socket = await liveIn(s.accessToken, { scopes: [{ type: 'enterprise', code: E1 }] });
      const ended = record(socket, 'session_ended');
      const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));

      const res = await change(s.id);
      expect(res.statusCode, res.body).toBeLessThan(300);

      await within(3000, async () => (await putPlan(s.accessToken)).statusCode === 401);
      const write = await putPlan(s.accessToken);
      expect(write.json()).toMatchObject({ code: 'HW_API_SESSION_ENDED' });
      const read = await readPlans(s.accessToken);
      expect(read.statusCode).toBe(401);
      expect(read.json()).toMatchObject({ code: 'HW_API_SESSION_ENDED' });
      const refresh = await api.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: s.refreshToken },
      });
      expect(refresh.statusCode).toBe(401);

      await within(3000, () => !socket.connected);
      expect(await gone).toBe('io server disconnect');
      expect(ended).toEqual([{ reason: expect.any(String) }]);
      // The old token no longer opens a socket either.
      await expect(connected(client(url, s.accessToken))).rejects.toMatchObject({
        data: { code: 'HW_API_SESSION_ENDED' },
      });

      // The change and the forced logout are in the audit log.
      const { rows } = await api.client.query<{ action: string }>(
        `SELECT action FROM audit_log WHERE target_id = $1 AND action IN ($2, 'session.revoke') ORDER BY id`,
        [s.id, audited],
      );
      expect(rows.map((r) => r.action)).toEqual([audited, 'session.revoke']);
    });
  });

  it('another API process (no shared cache) refuses the old token once its short cache has expired', async () => {
    const s = await safetyManagerOfE1('victim-elsewhere');
    let now = NOW;
    const other = await buildApiApp(SETTINGS, {
      logger: silentLogger,
      client: api.client,
      dialect: 'postgres',
      site: { current: () => site },
      now: () => now,
      alarmSettings: DEFAULT_ALARM_SETTINGS,
      processMetrics: false,
    });
    try {
      expect((await other.inject({ ...readReq(s.accessToken) })).statusCode).toBe(200);
      await api.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${s.id}`,
        headers: admin(),
        payload: { disabled: true },
      });
      now += 2001;
      const res = await other.inject({ ...readReq(s.accessToken) });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'HW_API_SESSION_ENDED' });
    } finally {
      await other.close();
    }
  });

  it('a re-enabled user logs in again; the tokens from before stay dead', async () => {
    const s = await safetyManagerOfE1('victim-again');
    const patch = (disabled: boolean) =>
      api.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${s.id}`,
        headers: admin(),
        payload: { disabled },
      });
    expect((await patch(true)).statusCode).toBe(200);
    expect((await patch(false)).statusCode).toBe(200);
    expect((await readPlans(s.accessToken)).statusCode).toBe(401);
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: s.username, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect((await readPlans(login.json<{ accessToken: string }>().accessToken)).statusCode).toBe(200);
  });

  it('refuses a role and scope the user table would not hold', async () => {
    const s = await safetyManagerOfE1('victim-invalid');
    const res = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${s.id}`,
      headers: admin(),
      payload: { role: 'regulator' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'HW_API_USER_INVALID' });
    expect((await readPlans(s.accessToken)).statusCode).toBe(200);
  });
});

function readReq(token: string) {
  return {
    method: 'GET' as const,
    url: `/api/v1/enterprises/${E1}/plans`,
    headers: { authorization: `Bearer ${token}` },
  };
}

describe('an enterprise moved to another region', () => {
  it('the old region’s regulator leaves its rooms and hears no more of it; the new region’s regulator can join', async () => {
    const point = site!.pointByKey(E1, 'LT-1101')!;
    const hazard = point.hazard!;
    const old = await liveIn(api.tokens.regCounty, {
      scopes: [
        { type: 'enterprise', code: E1 },
        { type: 'hazard', enterprise: E1, code: hazard },
        { type: 'point', id: point.id },
        { type: 'region', code: COUNTY_A },
      ],
    });
    expect(await old.timeout(5000).emitWithAck('values:interval', { intervalMs: 250 })).toMatchObject({
      ok: true,
    });
    const newcomer = await liveIn(api.tokens.regOther, { scopes: [{ type: 'region', code: COUNTY_B }] });
    expect(
      await newcomer.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
    ).toMatchObject({ ok: false, error: { code: 'HW_API_FORBIDDEN' } });

    const value = (i: number): LiveValue => ({ pointId: point.id, ts: NOW + i, value: i, quality: 'good' });
    source.live.values([value(1)]);
    await next(old, 'values');

    const left = next(old, 'rooms_left', () => true, 3000);
    const moved = await api.app.inject({
      method: 'PATCH',
      // An identity change is kept as a change record: it says why (issue #19).
      url: `/api/v1/enterprises/${E1}?reason=${encodeURIComponent('区划调整')}`,
      headers: admin(),
      payload: { region: COUNTY_B },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await left).toEqual({
      rooms: expect.arrayContaining([`enterprise:${E1}`, `hazard:${E1}/${hazard}`, `point:${point.id}`]),
      reason: 'out_of_scope',
    });
    expect((await left).rooms).toHaveLength(3);

    // REST says the same.
    const rest = await api.app.inject({
      method: 'GET',
      url: `/api/v1/enterprises/${E1}`,
      headers: api.auth('regCounty'),
    });
    expect(rest.statusCode).toBe(403);

    // The new county's regulator may join now, and hears the values; the old one hears none.
    expect(
      await newcomer.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
    ).toMatchObject({ ok: true });
    const oldFrames = recordValues(old);
    for (let i = 2; i < 13; i += 1) {
      source.live.values([value(i)]);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await next(newcomer, 'values', () => true, 3000);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(oldFrames).toEqual([]);
    expect(old.connected).toBe(true);
  });
});
