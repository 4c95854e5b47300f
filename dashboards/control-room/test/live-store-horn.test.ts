import { describe, expect, it, vi } from 'vitest';
import { shallowRef } from 'vue';
import { ManualClock } from '@hazardwatch/kit';
import type { AlarmRow } from '@hazardwatch/contracts';
import type { HazardApi } from '../src/api/endpoints.js';
import type { SiteStore } from '../src/state/site-store.js';

// The live store loads the socket client, whose `@hazardwatch/contracts/live-frame` subpath does not
// resolve under the test aliases; the live connection is not under test here.
vi.mock('../src/live/live-client.js', () => ({ LiveClient: class {} }));
const { createLiveStore } = await import('../src/state/live-store.js');

function row(id: string, colour: AlarmRow['colour'], state: AlarmRow['state']): AlarmRow {
  return {
    id,
    condition: 'HH',
    state,
    colour,
    active: true,
    enterprise: 'E1',
    pointId: 1,
    tag: 'PT-1101',
    hazard: null,
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
}

/** The live store over a fake API whose open alarms the test sets; the site is empty. */
function store() {
  const open = { rows: [] as AlarmRow[] };
  const api = {
    activeAlarms: vi.fn(() => Promise.resolve(open.rows)),
    latestOfEnterprise: vi.fn(() => Promise.resolve([])),
    warnings: vi.fn(() => Promise.resolve([])),
    pendingChangeCount: vi.fn(() => Promise.resolve(0)),
    silenceHorn: vi.fn((body: { sounding: number }) => Promise.resolve({ at: 5, sounding: body.sounding })),
  };
  const site = {
    enterprises: shallowRef([]),
    hazards: shallowRef([]),
    points: shallowRef(new Map()),
    overviews: shallowRef(new Map()),
    loadOverviews: () => Promise.resolve(),
  };
  const clock = new ManualClock(0);
  const live = createLiveStore(api as unknown as HazardApi, site as unknown as SiteStore, () => 0, clock);
  return { live, api, open, clock };
}

describe('live store: the horn follows the open alarms and audits a silence (issue #21)', () => {
  it('sounds for an unacknowledged red alarm, silences with an audit, stops when acknowledged', async () => {
    const { live, api, open } = store();
    await live.reload();
    expect(live.horn.value.status).toBe('quiet');

    open.rows = [row('a1', 'red', 'UNACK'), row('a2', 'yellow', 'UNACK')];
    await live.reload();
    expect(live.horn.value).toEqual({ status: 'sounding', colour: 'red', count: 1 });

    await live.silenceHorn();
    expect(api.silenceHorn).toHaveBeenCalledWith({ sounding: 1, alarms: ['a1'] });
    expect(live.horn.value.status).toBe('silenced');
    expect(live.hornAuditFailed.value).toBe(false);
    // Nothing sounds now: a second press audits nothing.
    await live.silenceHorn();
    expect(api.silenceHorn).toHaveBeenCalledTimes(1);

    // A new orange alarm re-arms it.
    open.rows = [row('a1', 'red', 'UNACK'), row('a3', 'orange', 'UNACK')];
    await live.reload();
    expect(live.horn.value).toEqual({ status: 'sounding', colour: 'red', count: 2 });

    open.rows = [row('a1', 'red', 'ACKED'), row('a3', 'orange', 'ACKED')];
    await live.reload();
    expect(live.horn.value.status).toBe('quiet');
  });

  it('keeps the silence when the audit fails, and says so', async () => {
    const { live, api, open } = store();
    api.silenceHorn.mockImplementation(() => Promise.reject(new Error('offline')));
    open.rows = [row('a1', 'orange', 'UNACK')];
    await live.reload();
    await live.silenceHorn();
    expect(live.horn.value.status).toBe('silenced');
    expect(live.hornAuditFailed.value).toBe(true);
  });

  it('a muted console keeps the horn’s state (shown) but plays nothing', async () => {
    const { live, open, clock } = store();
    const play = vi.spyOn(live.beeper, 'play');
    live.setMuted(true);
    open.rows = [row('a1', 'red', 'UNACK')];
    await live.reload();
    clock.advance(10_000);
    expect(live.horn.value.status).toBe('sounding');
    // The beeper is called by the horn and stays silent itself while muted.
    expect(play).toHaveBeenCalledWith('red');
    expect(live.beeper.muted).toBe(true);
    live.setMuted(false);
  });

  it('logout stops the horn', async () => {
    const { live, open } = store();
    open.rows = [row('a1', 'red', 'UNACK')];
    await live.reload();
    live.stop();
    expect(live.horn.value.status).toBe('quiet');
  });
});
