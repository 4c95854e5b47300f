import { describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import { ManualClock } from '@hazardwatch/kit';
import type { AlarmRow, LiveAlarmEvent, RegionNode, User } from '@hazardwatch/contracts';
import type { HazardApi } from '../src/api/endpoints.js';
import type { LiveClientOptions } from '../src/live/live-client.js';
import type { SiteStore } from '../src/state/site-store.js';
import { liveScopesFor } from '../src/state/session.js';

// The live store's socket client is replaced by one that hands the test its handlers: the events
// are driven here as the socket would deliver them (the client itself: live-client.test.ts).
const clients: LiveClientOptions[] = [];
vi.mock('../src/live/live-client.js', () => ({
  LiveClient: class {
    constructor(options: LiveClientOptions) {
      clients.push(options);
    }
    start(): void {}
    stop(): void {}
  },
}));
const { createLiveStore } = await import('../src/state/live-store.js');

const KEY = 'platform:timescaledb/compression:readings';
const E1 = '91320623MA1W000001';

let nextId = 100;
function platformEvent(over: Partial<LiveAlarmEvent>): LiveAlarmEvent {
  nextId += 1;
  return {
    id: nextId,
    alarmId: 'platform-compression',
    sourceKey: KEY,
    pointId: null,
    condition: 'JOB_FAILED',
    from: 'NORM',
    to: 'UNACK',
    ts: 1000 + nextId,
    actor: 'system',
    reason: 'compression:readings: last run Failed',
    value: null,
    colour: 'blue',
    enterprise: null,
    hazard: null,
    gateway: null,
    region: null,
    replayed: false,
    ...over,
  };
}

/** A point alarm of E1 in the snapshot: the colours the console shows before the platform alarm. */
const pointRow: AlarmRow = {
  id: 'p1-hh',
  condition: 'HH',
  state: 'UNACK',
  colour: 'orange',
  active: true,
  enterprise: E1,
  pointId: 1,
  tag: 'PT-1101',
  hazard: 'H1',
  gateway: 'GW01',
  raisedAt: 1,
  updatedAt: 1,
  closedAt: null,
  value: 1.5,
  limit: 1.2,
  ackedAt: null,
  ackedBy: null,
  shelvedUntilMs: null,
  shelveReason: null,
  outOfServiceReason: null,
  late: false,
};

function store() {
  const open = { rows: [pointRow] as AlarmRow[] };
  const api = {
    activeAlarms: vi.fn(() => Promise.resolve(open.rows)),
    latestOfEnterprise: vi.fn(() => Promise.resolve([])),
    warnings: vi.fn(() => Promise.resolve([])),
    pendingChangeCount: vi.fn(() => Promise.resolve(0)),
    silenceHorn: vi.fn(() => Promise.resolve({ at: 0, sounding: 0 })),
  };
  const site = {
    enterprises: shallowRef([{ code: E1 }]),
    hazards: shallowRef([{ enterprise: E1, code: 'H1' }]),
    points: shallowRef(new Map([[1, { id: 1, tag: 'PT-1101', hazard: 'H1', limits: {} }]])),
    overviews: shallowRef(
      new Map([
        ['320623', { code: '320623', colour: 'orange', enterpriseColours: [{ code: E1, colour: 'orange' }] }],
      ]),
    ),
    loadOverviews: () => Promise.resolve(),
  };
  const live = createLiveStore(
    api as unknown as HazardApi,
    site as unknown as SiteStore,
    () => 0,
    new ManualClock(0),
  );
  return { live, open };
}

const colours = (live: ReturnType<typeof store>['live']) => ({
  point: live.colours.get('point', '1'),
  hazard: live.colours.get('hazard', `${E1}/H1`),
  enterprise: live.colours.get('enterprise', E1),
  region: live.colours.get('region', '320623'),
});

/**
 * Issue #20: the platform's own alarms (a TimescaleDB job) are pushed live to administrators. The
 * console shows one as it arrives, follows its acknowledgement and return, and it colours nothing:
 * no point, hazard, enterprise or region (the map) changes colour for it, and blue sounds no horn.
 */
describe('live store: a platform alarm pushed live', () => {
  it('an administrator’s console watches the platform room; nobody else’s does', () => {
    const roots: RegionNode[] = [{ code: '320000', name: '江苏省', kind: 'province', children: [] } as never];
    const user = (over: Partial<User>): User =>
      ({ id: 'u', username: 'u', regionCode: null, enterpriseCode: null, ...over }) as User;
    expect(liveScopesFor(user({ role: 'admin' }), roots)).toEqual([
      { type: 'region', code: '320000' },
      { type: 'platform' },
    ]);
    expect(liveScopesFor(user({ role: 'regulator', regionCode: '320623' }), roots)).toEqual([
      { type: 'region', code: '320623' },
    ]);
    expect(liveScopesFor(user({ role: 'viewer', regionCode: '320623' }), roots)).toEqual([
      { type: 'region', code: '320623' },
    ]);
    expect(liveScopesFor(user({ role: 'operator', enterpriseCode: E1 }), roots)).toEqual([
      { type: 'enterprise', code: E1 },
    ]);
  });

  it('shows it raised, follows its acknowledgement and return, and colours nothing', async () => {
    const { live } = store();
    await live.reload();
    live.start([{ type: 'platform' }], {
      token: () => Promise.resolve('t'),
      refreshToken: () => Promise.resolve(true),
    });
    const handlers = clients.at(-1)!.handlers;
    const before = colours(live);
    expect(before).toEqual({ point: 'orange', hazard: 'orange', enterprise: 'orange', region: 'orange' });
    const horn = live.horn.value;

    handlers.alarm(platformEvent({}));
    expect(live.sortedAlarms.value.map((a) => a.id)).toContain('platform-compression');
    expect(live.alarms.get('platform-compression')).toMatchObject({
      condition: 'JOB_FAILED',
      state: 'UNACK',
      colour: 'blue',
      active: true,
      pointId: null,
      enterprise: null,
      hazard: null,
      gateway: null,
      // Named as GET /alarms/active names it, where a point's tag would be.
      tag: 'timescaledb/compression:readings',
    });
    expect(colours(live)).toEqual(before);
    expect(live.horn.value).toEqual(horn);

    handlers.alarm(platformEvent({ from: 'UNACK', to: 'ACKED', actor: 'admin-1', reason: null }));
    expect(live.alarms.get('platform-compression')).toMatchObject({ state: 'ACKED', ackedBy: 'admin-1' });

    handlers.alarm(platformEvent({ from: 'ACKED', to: 'NORM', reason: null }));
    expect(live.alarms.get('platform-compression')).toBeUndefined();
    expect(live.sortedAlarms.value.map((a) => a.id)).toEqual(['p1-hh']);

    // The next snapshot (which lists an open platform alarm for an administrator) colours nothing either.
    handlers.alarm(platformEvent({ alarmId: 'platform-stale', condition: 'JOB_STALE' }));
    await live.reload();
    expect(colours(live)).toEqual(before);
    live.stop();
  });
});
