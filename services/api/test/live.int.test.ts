import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveErrorCode, LiveScope, LiveValue } from '@hazardwatch/contracts';
import { signJwt, type LiveGateway } from '@hazardwatch/api';
import {
  buildTestApi,
  CITY,
  COUNTY_A,
  COUNTY_B,
  E1,
  E2,
  E3,
  NOW,
  PARK_A,
  type TestApi,
  type TestUser,
} from './support/api-fixture.js';
import {
  attachTo,
  client,
  connectAs,
  connected,
  next,
  nextValues,
  record,
  recordValues,
  SETTINGS,
  storeAlarm,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/** A round trip: everything the server sent this client before answering has arrived. */
const barrier = (c: LiveClient) =>
  c.timeout(5000).emitWithAck('unsubscribe', { scopes: [{ type: 'region', code: '0' }] });

let api: TestApi;
let gateway: LiveGateway;
let source: TestLiveSource;
let url: string;
const clients: LiveClient[] = [];

const track = (c: LiveClient): LiveClient => (clients.push(c), c);
const as = async (user: TestUser, options: { reconnection?: boolean } = {}): Promise<LiveClient> =>
  track(await connectAs(url, api, user, options));
const subscribe = (c: LiveClient, scopes: LiveScope[], sinceEventId?: number) =>
  c
    .timeout(5000)
    .emitWithAck('subscribe', { scopes, ...(sinceEventId !== undefined ? { sinceEventId } : {}) });

let P1: number; // E1, hazard CL-TF01
let P2: number; // E1, same hazard
let P7: number; // E1, no hazard
let P8: number; // E2
let P3101: number; // E3 (other county)

beforeAll(async () => {
  api = await buildTestApi();
  P1 = api.site.pointByKey(E1, 'LT-1101')!.id;
  P2 = api.site.pointByKey(E1, 'PT-1101')!.id;
  P7 = api.site.pointByKey(E1, 'SIT-1190')!.id;
  P8 = api.site.pointByKey(E2, 'TT-2101')!.id;
  P3101 = api.site.pointByKey(E3, 'TT-3101')!.id;
  source = new TestLiveSource();
  // The gateway rides on the API's own HTTP server, beside the REST routes.
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  gateway = await attachTo(api, api.app.server, { source });
  url = urlOf(api.app.server);
});

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(async () => {
  await gateway.close();
  await api.close();
});

describe('handshake', () => {
  it('refuses a connection without a token, with a bad one and with an expired one', async () => {
    const expired = signJwt(
      { sub: 'x', name: 'x', role: 'admin', iss: 'hazardwatch' },
      SETTINGS.auth.jwtSecret,
      NOW - 3_600_000,
      60_000,
    );
    const forged = signJwt(
      { sub: 'x', name: 'x', role: 'admin', iss: 'hazardwatch' },
      'another-secret-another-secret-0000',
      NOW,
      60_000,
    );
    for (const token of [undefined, 'not-a-jwt', expired, forged]) {
      const c = track(client(url, token));
      const err = (await connected(c).catch((e: unknown) => e)) as Error & { data?: { code: string } };
      expect(err).toBeInstanceOf(Error);
      expect(err.data).toEqual({ code: 'HW_API_UNAUTHENTICATED' });
      expect(c.connected).toBe(false);
    }
  });

  it('accepts the access token from login, and REST keeps working on the same server', async () => {
    const c = await as('regCounty');
    expect(c.connected).toBe(true);
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('room scope table', () => {
  const ADMIN_AND_CITY: TestUser[] = ['admin', 'regCity'];
  const COUNTY_A_REGULATORS: TestUser[] = [...ADMIN_AND_CITY, 'regCounty', 'viewerCounty'];
  const E1_INSIDERS: TestUser[] = [...COUNTY_A_REGULATORS, 'opE1'];
  interface Row {
    readonly scope: () => LiveScope;
    readonly allowed: readonly TestUser[];
    readonly denied: readonly TestUser[];
    readonly code?: LiveErrorCode;
  }
  const TABLE: Record<string, Row> = {
    'region (county A)': {
      scope: () => ({ type: 'region', code: COUNTY_A }),
      allowed: COUNTY_A_REGULATORS,
      denied: ['regOther', 'opE1', 'opE2', 'opE3'],
    },
    'region (park in county A)': {
      scope: () => ({ type: 'region', code: PARK_A }),
      allowed: COUNTY_A_REGULATORS,
      denied: ['regOther', 'opE1', 'opE3'],
    },
    'region (city)': {
      scope: () => ({ type: 'region', code: CITY }),
      allowed: ADMIN_AND_CITY,
      denied: ['regCounty', 'regOther', 'viewerCounty', 'opE1'],
    },
    'region (county B)': {
      scope: () => ({ type: 'region', code: COUNTY_B }),
      allowed: [...ADMIN_AND_CITY, 'regOther'],
      denied: ['regCounty', 'viewerCounty', 'opE1', 'opE3'],
    },
    'enterprise E1': {
      scope: () => ({ type: 'enterprise', code: E1 }),
      allowed: E1_INSIDERS,
      denied: ['regOther', 'opE2', 'opE3'],
    },
    'hazard of E1': {
      scope: () => ({ type: 'hazard', enterprise: E1, code: 'CL-TF01' }),
      allowed: E1_INSIDERS,
      denied: ['regOther', 'opE2', 'opE3'],
    },
    'point of E1': {
      scope: () => ({ type: 'point', id: P1 }),
      allowed: E1_INSIDERS,
      denied: ['regOther', 'opE2', 'opE3'],
    },
    'enterprise E3 (county B)': {
      scope: () => ({ type: 'enterprise', code: E3 }),
      allowed: [...ADMIN_AND_CITY, 'regOther', 'opE3'],
      denied: ['regCounty', 'viewerCounty', 'opE1', 'opE2'],
    },
    'hazard of E3': {
      scope: () => ({ type: 'hazard', enterprise: E3, code: 'HYD-U02' }),
      allowed: [...ADMIN_AND_CITY, 'regOther', 'opE3'],
      denied: ['regCounty', 'opE1'],
    },
    'point of E3': {
      scope: () => ({ type: 'point', id: P3101 }),
      allowed: [...ADMIN_AND_CITY, 'regOther', 'opE3'],
      denied: ['regCounty', 'opE1'],
    },
    'unknown region': {
      scope: () => ({ type: 'region', code: '999999' }),
      allowed: [],
      denied: ['admin', 'regCounty', 'opE1'],
      code: 'HW_API_NOT_FOUND',
    },
    'unknown hazard': {
      scope: () => ({ type: 'hazard', enterprise: E1, code: 'NOPE' }),
      allowed: [],
      denied: ['admin', 'opE1'],
      code: 'HW_API_NOT_FOUND',
    },
    'unknown point': {
      scope: () => ({ type: 'point', id: 999_999 }),
      allowed: [],
      denied: ['admin', 'opE1'],
      code: 'HW_API_NOT_FOUND',
    },
  };

  for (const [name, row] of Object.entries(TABLE)) {
    it(`${name}: joined in scope, refused out of scope`, async () => {
      const scope = row.scope();
      for (const user of row.allowed) {
        const c = await as(user);
        const result = await subscribe(c, [scope]);
        expect(result, user).toEqual({ ok: true, rooms: [expect.any(String)] });
      }
      for (const user of row.denied) {
        const c = await as(user);
        const result = await subscribe(c, [scope]);
        expect(result, user).toMatchObject({
          ok: false,
          error: { code: row.code ?? 'HW_API_FORBIDDEN', scope },
        });
      }
    });
  }

  it('joins all scopes of a request or none', async () => {
    const c = await as('opE1');
    const refused = await subscribe(c, [
      { type: 'enterprise', code: E1 },
      { type: 'enterprise', code: E3 },
    ]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'HW_API_FORBIDDEN' } });
    expect(
      await c.timeout(5000).emitWithAck('unsubscribe', { scopes: [{ type: 'enterprise', code: E3 }] }),
    ).toEqual({ ok: true, rooms: [] });
  });

  it('refuses malformed requests with HW_API_VALIDATION', async () => {
    const c = await as('admin');
    for (const bad of [
      {},
      { scopes: [] },
      { scopes: [{ type: 'galaxy', code: 'x' }] },
      { scopes: [{ type: 'point', id: 'one' }] },
    ]) {
      const result = await c.timeout(5000).emitWithAck('subscribe', bad as never);
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'HW_API_VALIDATION' } });
    }
    expect(await c.timeout(5000).emitWithAck('values:interval', { intervalMs: -1 })).toMatchObject({
      ok: false,
      error: { code: 'HW_API_VALIDATION' },
    });
  });
});

describe('fan-out', () => {
  it('sends an alarm event to the rooms of its point, hazard, enterprise and region chain, once per socket', async () => {
    const inPoint = await as('opE1');
    const inHazardAndEnterprise = await as('regCounty');
    const inCity = await as('regCity');
    const otherEnterprise = await as('opE2');
    const otherCounty = await as('regOther');
    const samePointOtherRoom = await as('opE1');
    await subscribe(inPoint, [{ type: 'point', id: P1 }]);
    await subscribe(inHazardAndEnterprise, [
      { type: 'hazard', enterprise: E1, code: 'CL-TF01' },
      { type: 'enterprise', code: E1 },
      { type: 'region', code: PARK_A },
    ]);
    await subscribe(inCity, [{ type: 'region', code: CITY }]);
    await subscribe(otherEnterprise, [{ type: 'enterprise', code: E2 }]);
    await subscribe(otherCounty, [{ type: 'region', code: COUNTY_B }]);
    await subscribe(samePointOtherRoom, [{ type: 'point', id: P2 }]);
    const seen = new Map<LiveClient, ReturnType<typeof record<'alarm'>>>();
    for (const c of [
      inPoint,
      inHazardAndEnterprise,
      inCity,
      otherEnterprise,
      otherCounty,
      samePointOtherRoom,
    ])
      seen.set(c, record(c, 'alarm'));

    const e1 = await storeAlarm(api, P1);
    // Markers after it, in the same ordered stream: once a client has its marker, it would have had the E1 event too.
    const e2 = await storeAlarm(api, P8);
    const e3 = await storeAlarm(api, P3101);
    const p2 = await storeAlarm(api, P2);
    source.live.stored({ alarmEvents: [e1, e2, e3, p2], colourChanges: [], warningEvents: [] });
    await gateway.idle();

    const got = async (c: LiveClient, marker: string): Promise<string[]> => {
      if (!seen.get(c)!.some((e) => e.alarmId === marker))
        await next(c, 'alarm', (e) => e.alarmId === marker);
      return seen.get(c)!.map((e) => e.alarmId);
    };
    expect(await got(inPoint, e1.alarmId)).toEqual([e1.alarmId]);
    // In three rooms of E1 (and the park, which holds E2 too), yet each event arrives once.
    expect(await got(inHazardAndEnterprise, p2.alarmId)).toEqual([e1.alarmId, e2.alarmId, p2.alarmId]);
    expect(await got(inCity, p2.alarmId)).toEqual([e1.alarmId, e2.alarmId, e3.alarmId, p2.alarmId]);
    expect(await got(otherEnterprise, e2.alarmId)).toEqual([e2.alarmId]);
    expect(await got(otherCounty, e3.alarmId)).toEqual([e3.alarmId]);
    expect(await got(samePointOtherRoom, p2.alarmId)).toEqual([p2.alarmId]);

    const first = seen.get(inPoint)![0]!;
    expect(first).toMatchObject({
      alarmId: e1.alarmId,
      pointId: P1,
      enterprise: E1,
      hazard: 'CL-TF01',
      gateway: 'GW01',
      region: PARK_A,
      colour: 'yellow',
      // The alarm's limit rides with the event, so a live row shows what a REST row shows.
      limit: 85,
      replayed: false,
    });
    expect(first.id).toBeGreaterThan(0);
  });

  it('an alarm of a point removed from the site model reaches its enterprise and region chain, live and by replay', async () => {
    // Point ids are never reused: the removed point keeps its (enterprise, tag) in point_ids.
    const { rows } = await api.client.query<{ id: number }>(
      `INSERT INTO point_ids (enterprise_code, tag) VALUES ($1, $2) RETURNING id`,
      [E1, `GONE-${NOW}-${Math.random().toString(16).slice(2, 8)}`],
    );
    const gone = rows[0]!.id;
    expect(api.site.pointById(gone)).toBeUndefined();
    const operator = await as('opE1');
    const county = await as('regCounty');
    const other = await as('opE2');
    await subscribe(operator, [{ type: 'enterprise', code: E1 }]);
    await subscribe(county, [{ type: 'region', code: COUNTY_A }]);
    await subscribe(other, [{ type: 'enterprise', code: E2 }]);
    const heardByOther = record(other, 'alarm');
    const returned = await storeAlarm(api, gone, { from: 'UNACK', to: 'RTNUN', value: null });
    const marker = await storeAlarm(api, P8);
    source.live.stored({ alarmEvents: [returned, marker], colourChanges: [], warningEvents: [] });

    const live = await next(operator, 'alarm', (e) => e.alarmId === returned.alarmId);
    expect(live).toMatchObject({
      pointId: gone,
      enterprise: E1,
      hazard: null,
      gateway: null,
      region: PARK_A,
      to: 'RTNUN',
      replayed: false,
    });
    await next(county, 'alarm', (e) => e.alarmId === returned.alarmId);
    await next(other, 'alarm', (e) => e.alarmId === marker.alarmId);
    expect(heardByOther.map((e) => e.alarmId)).toEqual([marker.alarmId]);

    const again = await as('opE1');
    const replayed = record(again, 'alarm');
    const done = next(again, 'replay:done');
    await subscribe(again, [{ type: 'enterprise', code: E1 }], live.id - 1);
    await done;
    expect(replayed.map((e) => [e.alarmId, e.enterprise, e.replayed])).toEqual([
      [returned.alarmId, E1, true],
    ]);
  });

  it('routes colour changes by roll-up level, 预警 events by hazard and gateway presence by enterprise', async () => {
    const regCounty = await as('regCounty');
    const opE1 = await as('opE1');
    const opE3 = await as('opE3');
    await subscribe(regCounty, [{ type: 'region', code: COUNTY_A }]);
    await subscribe(opE1, [{ type: 'hazard', enterprise: E1, code: 'CL-TF01' }]);
    await subscribe(opE3, [{ type: 'enterprise', code: E3 }]);
    const colours = [regCounty, opE1, opE3].map((c) => record(c, 'colour'));
    const warnings = [regCounty, opE1, opE3].map((c) => record(c, 'warning'));

    source.live.stored({
      alarmEvents: [],
      colourChanges: [
        { level: 'point', code: String(P7), from: null, to: 'yellow', ts: NOW },
        { level: 'hazard', code: `${E1}/CL-TF01`, from: null, to: 'red', ts: NOW },
        { level: 'region', code: COUNTY_A, from: null, to: 'red', ts: NOW },
        { level: 'enterprise', code: E3, from: null, to: 'orange', ts: NOW },
      ],
      warningEvents: [
        {
          warningId: 'w1',
          enterprise: E1,
          hazard: 'CL-TF01',
          type: 'opened',
          from: null,
          to: 'pushed',
          ts: NOW,
          actor: 'system',
          colour: 'red',
          level: 'enterprise',
          causeAlarmIds: ['a'],
        },
        {
          warningId: 'w3',
          enterprise: E3,
          hazard: 'HYD-U02',
          type: 'signed',
          from: 'pushed',
          to: 'signed',
          ts: NOW,
          actor: 'u',
          colour: 'red',
          level: 'enterprise',
        },
      ],
    });
    source.live.gateway({ enterprise: E3, gateway: 'GW01', online: false, ts: NOW, spoolDepth: 1200 });
    expect(await next(opE3, 'gateway')).toEqual({
      enterprise: E3,
      gateway: 'GW01',
      online: false,
      ts: NOW,
      spoolDepth: 1200,
    });
    await gateway.idle();
    await Promise.all([regCounty, opE1, opE3].map(barrier));

    expect(colours[0]!.map((c) => `${c.level}:${c.code}`)).toEqual([
      `point:${P7}`,
      `hazard:${E1}/CL-TF01`,
      `region:${COUNTY_A}`,
    ]);
    expect(colours[1]!.map((c) => `${c.level}:${c.code}`)).toEqual([`hazard:${E1}/CL-TF01`]);
    expect(colours[2]!.map((c) => `${c.level}:${c.code}`)).toEqual([`enterprise:${E3}`]);
    expect(warnings[0]!.map((w) => w.warningId)).toEqual(['w1']);
    expect(warnings[1]!.map((w) => w.warningId)).toEqual(['w1']);
    expect(warnings[2]!.map((w) => w.warningId)).toEqual(['w3']);
    expect(warnings[0]![0]).toEqual({
      warningId: 'w1',
      enterprise: E1,
      hazard: 'CL-TF01',
      type: 'opened',
      from: null,
      to: 'pushed',
      ts: NOW,
      actor: 'system',
      colour: 'red',
      previousColour: null,
      level: 'enterprise',
    });
  });
});

describe('live values', () => {
  it('conflates 100 updates of one point within an interval into at most 2 batches ending with the latest', async () => {
    const c = await as('opE1');
    const other = await as('opE2');
    await subscribe(c, [{ type: 'point', id: P1 }]);
    await subscribe(other, [{ type: 'enterprise', code: E2 }]);
    expect(await c.timeout(5000).emitWithAck('values:interval', { intervalMs: 50 })).toEqual({
      ok: true,
      intervalMs: 250,
    });
    const batches = recordValues(c);
    const otherBatches = recordValues(other);
    const update = (pointId: number, i: number): LiveValue => ({
      pointId,
      ts: NOW + i,
      value: i,
      quality: 'good',
    });
    for (let i = 0; i < 100; i += 1) source.live.values([update(P1, i)]);
    source.live.values([update(P8, 7)]);

    await nextValues(c, (b) => b.some((v) => v.value === 99));
    await nextValues(other).catch(() => undefined);
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches.at(-1)).toEqual([update(P1, 99)]);
    for (const b of batches) expect(new Set(b.map((v) => v.pointId)).size).toBe(b.length);
    // The E2 operator only ever sees E2's point.
    expect(otherBatches.flat().map((v) => v.pointId)).toEqual([P8]);
  });
});

describe('reconnect', () => {
  it('replays missed alarm events in scope from sinceEventId, then replay:done', async () => {
    const first = await as('opE1');
    await subscribe(first, [{ type: 'enterprise', code: E1 }]);
    const a = await storeAlarm(api, P1);
    source.live.stored({ alarmEvents: [a], colourChanges: [], warningEvents: [] });
    const lastSeen = await next(first, 'alarm', (e) => e.alarmId === a.alarmId);
    first.disconnect();

    const missed1 = await storeAlarm(api, P7);
    const outOfScope = await storeAlarm(api, P3101);
    const missed2 = await storeAlarm(api, P2);
    source.live.stored({ alarmEvents: [missed1, outOfScope, missed2], colourChanges: [], warningEvents: [] });
    await gateway.idle();

    const again = await as('opE1');
    const replayed = record(again, 'alarm');
    const done = next(again, 'replay:done');
    expect(await subscribe(again, [{ type: 'enterprise', code: E1 }], lastSeen.id)).toEqual({
      ok: true,
      rooms: [`enterprise:${E1}`],
    });
    const summary = await done;
    expect(replayed.map((e) => [e.alarmId, e.replayed])).toEqual([
      [missed1.alarmId, true],
      [missed2.alarmId, true],
    ]);
    expect(summary).toEqual({ lastEventId: expect.any(Number), count: 2, complete: true });
    expect(summary.lastEventId).toBeGreaterThanOrEqual(replayed[1]!.id);
  });

  it('recovers the connection state (rooms and missed broadcasts) after a transport drop', async () => {
    const c = await as('regCounty', { reconnection: true });
    await subscribe(c, [{ type: 'region', code: COUNTY_A }]);
    const a = await storeAlarm(api, P1);
    source.live.stored({ alarmEvents: [a], colourChanges: [], warningEvents: [] });
    await next(c, 'alarm', (e) => e.alarmId === a.alarmId);

    const dropped = new Promise<void>((resolve) => c.once('disconnect', () => resolve()));
    c.io.engine.close();
    await dropped;
    const missed = await storeAlarm(api, P8);
    const got = next(c, 'alarm', (e) => e.alarmId === missed.alarmId);
    source.live.stored({ alarmEvents: [missed], colourChanges: [], warningEvents: [] });
    await gateway.idle();
    await connected(c);
    expect(c.recovered).toBe(true);
    expect(await got).toMatchObject({ alarmId: missed.alarmId, enterprise: E2, replayed: false });
  });
});

describe('live values shared per room', () => {
  const at = (pointId: number, i: number): LiveValue => ({
    pointId,
    ts: NOW + 10_000 + i,
    value: i,
    quality: 'good',
  });

  it('gives every client of one room the same values, and a client of a room and a point each point once', async () => {
    const a = await as('regCounty');
    const b = await as('regCounty');
    const both = await as('opE1');
    await subscribe(a, [{ type: 'region', code: COUNTY_A }]);
    await subscribe(b, [{ type: 'region', code: COUNTY_A }]);
    await subscribe(both, [
      { type: 'enterprise', code: E1 },
      { type: 'point', id: P1 },
    ]);
    const gotA = recordValues(a);
    const gotB = recordValues(b);
    const gotBoth = recordValues(both);
    source.live.values([at(P1, 1), at(P8, 1)]);
    await nextValues(a);
    await nextValues(both).catch(() => undefined);
    await barrier(b);
    await barrier(both);
    expect(gotA.flat().sort((x, y) => x.pointId - y.pointId)).toEqual(
      [at(P1, 1), at(P8, 1)].sort((x, y) => x.pointId - y.pointId),
    );
    expect(gotB).toEqual(gotA);
    expect(gotBoth).toEqual([[at(P1, 1)]]);
  });

  it('does not replay superseded values on recovery (alarms yes), and values flow again after it', async () => {
    const c = await as('regCounty', { reconnection: true });
    await subscribe(c, [{ type: 'region', code: COUNTY_A }]);
    const got = recordValues(c);
    source.live.values([at(P2, 1)]);
    await nextValues(c);
    // An alarm broadcast gives the client the offset it recovers from.
    const a = await storeAlarm(api, P1);
    source.live.stored({ alarmEvents: [a], colourChanges: [], warningEvents: [] });
    await next(c, 'alarm', (e) => e.alarmId === a.alarmId);

    const dropped = new Promise<void>((resolve) => c.once('disconnect', () => resolve()));
    c.io.engine.close();
    await dropped;
    source.live.values([at(P2, 2)]);
    const missed = await storeAlarm(api, P2);
    // Waited for across the reconnection (its own timeouts below): 15 s on a loaded machine.
    const replayed = next(c, 'alarm', (e) => e.alarmId === missed.alarmId, 15_000);
    source.live.stored({ alarmEvents: [missed], colourChanges: [], warningEvents: [] });
    await gateway.idle();
    await connected(c);
    expect(c.recovered).toBe(true);
    await replayed;
    source.live.values([at(P7, 3)]);
    await nextValues(c, (batch) => batch.some((v) => v.pointId === P7));
    expect(got).toEqual([[at(P2, 1)], [at(P7, 3)]]);
  });
});
