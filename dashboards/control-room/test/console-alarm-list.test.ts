import { describe, expect, it } from 'vitest';
import type { LiveAlarmEvent } from '@hazardwatch/contracts';
import type { AlarmRow } from '@hazardwatch/contracts';
import { ConsoleAlarmList, type PointFacts } from '../src/state/console-alarm-list.js';

const facts: PointFacts = {
  tag: 'PT-1101',
  hazard: 'CL-TF01',
  limits: { ll: null, l: null, h: 1.0, hh: 1.2 },
};

function event(
  over: Partial<LiveAlarmEvent> & Pick<LiveAlarmEvent, 'id' | 'from' | 'to' | 'ts'>,
): LiveAlarmEvent {
  return {
    alarmId: 'a1',
    sourceKey: 'point:7',
    pointId: 7,
    condition: 'HH',
    actor: 'system',
    reason: null,
    value: 1.5,
    colour: 'red',
    enterprise: 'E1',
    hazard: 'CL-TF01',
    gateway: 'GW01',
    region: 'R1',
    replayed: false,
    ...over,
  };
}

function rest(over: Partial<AlarmRow> & Pick<AlarmRow, 'id' | 'state' | 'updatedAt'>): AlarmRow {
  return {
    condition: 'HH',
    colour: 'red',
    active: true,
    enterprise: 'E1',
    pointId: 7,
    tag: 'PT-1101',
    hazard: 'CL-TF01',
    gateway: 'GW01',
    raisedAt: 1000,
    closedAt: null,
    value: 1.5,
    limit: 1.2,
    ackedAt: null,
    ackedBy: null,
    shelvedUntilMs: null,
    shelveReason: null,
    outOfServiceReason: null,
    late: false,
    ...over,
  };
}

describe('ConsoleAlarmList: live alarm events merged into the console', () => {
  it('opens an alarm from an event, filling tag and limit from the point', () => {
    const list = new ConsoleAlarmList(() => facts);
    const change = list.apply(event({ id: 10, from: 'NORM', to: 'UNACK', ts: 5000 }));
    expect(change).toMatchObject({ kind: 'opened', annunciated: true });
    expect(list.get('a1')).toMatchObject({
      state: 'UNACK',
      tag: 'PT-1101',
      limit: 1.2,
      raisedAt: 5000,
      colour: 'red',
      active: true,
    });
    expect(list.lastEventId).toBe(10);
  });

  it('takes the limit the live event carries: a rate-of-change slope, a gateway-loss timeout (issue #21)', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 1, from: 'NORM', to: 'UNACK', ts: 1, condition: 'ROC_RISE', limit: 0.05 }));
    expect(list.get('a1')?.limit).toBe(0.05);
    list.apply(
      event({
        id: 2,
        alarmId: 'g1',
        sourceKey: 'gateway:E1/GW01',
        pointId: null,
        condition: 'GATEWAY_OFFLINE',
        from: 'NORM',
        to: 'UNACK',
        ts: 2,
        value: null,
        limit: 120_000,
      }),
    );
    expect(list.get('g1')?.limit).toBe(120_000);
    // A later event without a limit (an older server, an operator action) keeps the one shown.
    list.apply(event({ id: 3, from: 'UNACK', to: 'ACKED', ts: 3, condition: 'ROC_RISE', actor: 'u1' }));
    expect(list.get('a1')?.limit).toBe(0.05);
  });

  it('follows ISA-18.2 transitions and closes on → NORM', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 1, from: 'NORM', to: 'UNACK', ts: 1 }));
    expect(
      list.apply(event({ id: 2, from: 'UNACK', to: 'ACKED', ts: 2, actor: 'op1', value: null })),
    ).toMatchObject({ kind: 'changed', annunciated: false });
    expect(list.get('a1')).toMatchObject({
      state: 'ACKED',
      ackedBy: 'op1',
      ackedAt: 2,
      active: true,
      value: 1.5,
    });
    list.apply(event({ id: 3, from: 'ACKED', to: 'NORM', ts: 3 }));
    expect(list.get('a1')).toBeUndefined();
    expect(list.size).toBe(0);
  });

  it('marks RTNUN inactive and re-alarm from RTNUN as a new annunciation', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 1, from: 'NORM', to: 'UNACK', ts: 1 }));
    list.apply(event({ id: 2, from: 'UNACK', to: 'RTNUN', ts: 2 }));
    expect(list.get('a1')).toMatchObject({ state: 'RTNUN', active: false });
    expect(list.apply(event({ id: 3, from: 'RTNUN', to: 'UNACK', ts: 3 }))).toMatchObject({
      annunciated: true,
    });
    expect(list.get('a1')).toMatchObject({ state: 'UNACK', active: true, raisedAt: 1 });
  });

  it('applies an event once: duplicates from recovery and replay are ignored', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 1, from: 'NORM', to: 'UNACK', ts: 1 }));
    list.apply(event({ id: 2, from: 'UNACK', to: 'ACKED', ts: 2, actor: 'op1' }));
    expect(list.apply(event({ id: 1, from: 'NORM', to: 'UNACK', ts: 1, replayed: true }))).toEqual({
      kind: 'ignored',
    });
    expect(list.apply(event({ id: 2, from: 'UNACK', to: 'ACKED', ts: 2, replayed: true }))).toEqual({
      kind: 'ignored',
    });
    expect(list.get('a1')?.state).toBe('ACKED');
  });

  it('ignores an event older than the snapshot row, applies a newer one', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.loadSnapshot([rest({ id: 'a1', state: 'ACKED', updatedAt: 5000 })], list.mark());
    expect(list.apply(event({ id: 4, from: 'NORM', to: 'UNACK', ts: 4000 }))).toEqual({ kind: 'ignored' });
    expect(list.get('a1')?.state).toBe('ACKED');
    list.apply(event({ id: 5, from: 'ACKED', to: 'NORM', ts: 7000 }));
    expect(list.get('a1')).toBeUndefined();
  });

  it('keeps, across a snapshot, what events did after the snapshot was requested', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 1, alarmId: 'before', from: 'NORM', to: 'UNACK', ts: 1000 }));
    const since = list.mark();
    // Arrive while the snapshot is in flight; their (server) times are older than any browser time.
    list.apply(event({ id: 2, alarmId: 'live-new', from: 'NORM', to: 'UNACK', ts: 10 }));
    list.apply(event({ id: 3, alarmId: 'a1', from: 'UNACK', to: 'ACKED', ts: 8500, actor: 'op' }));
    list.apply(event({ id: 4, alarmId: 'closed', from: 'ACKED', to: 'NORM', ts: 8600 }));
    // The snapshot lists a1 still UNACK (older), `closed` still open, not `live-new`, not `before` (closed meanwhile).
    list.loadSnapshot(
      [
        rest({ id: 'a1', state: 'UNACK', updatedAt: 7000 }),
        rest({ id: 'closed', state: 'ACKED', updatedAt: 7000 }),
        rest({ id: 'other', state: 'UNACK', updatedAt: 7500 }),
      ],
      since,
    );
    expect(
      list
        .all()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['a1', 'live-new', 'other']);
    expect(list.get('a1')?.state).toBe('ACKED');
    // A later snapshot is authoritative again for rows no event touched since.
    list.loadSnapshot([rest({ id: 'closed', state: 'ACKED', updatedAt: 9000 })], list.mark());
    expect(list.all().map((a) => a.id)).toEqual(['closed']);
  });

  it('remembers a closed alarm only while a snapshot requested before the close is in flight', () => {
    const list = new ConsoleAlarmList(() => facts);
    // A wall connected for months: its reconnects are recovered (no snapshot), alarms open and close.
    for (let i = 0; i < 1000; i++) {
      list.apply(event({ id: 2 * i + 1, alarmId: `a${i}`, from: 'NORM', to: 'UNACK', ts: i }));
      list.apply(event({ id: 2 * i + 2, alarmId: `a${i}`, from: 'UNACK', to: 'NORM', ts: i, actor: 'op' }));
    }
    expect(list.size).toBe(0);
    expect(list.tombstones).toBe(0);
    // A snapshot in flight: a close meanwhile is remembered until it arrives, then forgotten.
    list.apply(event({ id: 3001, alarmId: 'x', from: 'NORM', to: 'UNACK', ts: 1 }));
    const since = list.mark();
    list.apply(event({ id: 3002, alarmId: 'x', from: 'UNACK', to: 'NORM', ts: 2, actor: 'op' }));
    expect(list.tombstones).toBe(1);
    list.loadSnapshot([rest({ id: 'x', state: 'UNACK', updatedAt: 1 })], since);
    expect(list.all()).toEqual([]);
    expect(list.tombstones).toBe(0);
  });

  it('forgets the mark of a snapshot whose request failed', () => {
    const list = new ConsoleAlarmList(() => facts);
    const failed = list.mark();
    list.apply(event({ id: 1, alarmId: 'y', from: 'NORM', to: 'UNACK', ts: 1 }));
    list.apply(event({ id: 2, alarmId: 'y', from: 'UNACK', to: 'NORM', ts: 2, actor: 'op' }));
    // Two requests in flight at once: the failed one's mark goes, the other's still holds the close.
    const pending = list.mark();
    list.apply(event({ id: 3, alarmId: 'z', from: 'NORM', to: 'UNACK', ts: 3 }));
    list.apply(event({ id: 4, alarmId: 'z', from: 'UNACK', to: 'NORM', ts: 4, actor: 'op' }));
    list.abandon(failed);
    expect(list.tombstones).toBe(1);
    list.loadSnapshot([rest({ id: 'z', state: 'UNACK', updatedAt: 3 })], pending);
    expect(list.all()).toEqual([]);
    expect(list.tombstones).toBe(0);
  });

  it('keeps the colour when a later event carries none', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 1, from: 'NORM', to: 'UNACK', ts: 1, colour: 'orange' }));
    list.apply(event({ id: 2, from: 'UNACK', to: 'SHLVD', ts: 2, colour: null, reason: 'maintenance' }));
    expect(list.get('a1')).toMatchObject({ colour: 'orange', state: 'SHLVD', shelveReason: 'maintenance' });
  });
});

describe('ConsoleAlarmList: late alarms (raised from replayed readings, issue #16 item 2)', () => {
  it('shows a late alarm marked late, awaiting acknowledgement, without annunciating (no horn)', () => {
    const list = new ConsoleAlarmList(() => facts);
    const up = list.apply(event({ id: 10, from: 'NORM', to: 'UNACK', ts: 5000, late: true }));
    expect(up).toMatchObject({ kind: 'opened', annunciated: false, alarm: { late: true } });
    const down = list.apply(event({ id: 11, from: 'UNACK', to: 'RTNUN', ts: 25_000, late: true }));
    expect(down).toMatchObject({ kind: 'changed', alarm: { state: 'RTNUN', late: true, raisedAt: 5000 } });
  });

  it('a late note on a live alarm leaves it live; live data taking a late alarm over makes it live', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.apply(event({ id: 10, from: 'NORM', to: 'UNACK', ts: 30_000 }));
    const note = list.apply(
      event({ id: 11, from: 'UNACK', to: 'UNACK', ts: 31_000, late: true, reason: 'late: x' }),
    );
    expect(note).toMatchObject({ alarm: { late: false }, annunciated: false });

    const other = new ConsoleAlarmList(() => facts);
    other.apply(event({ id: 20, from: 'NORM', to: 'UNACK', ts: 5000, late: true }));
    const live = other.apply(event({ id: 21, from: 'UNACK', to: 'UNACK', ts: 40_000, reason: 'live: y' }));
    expect(live).toMatchObject({ alarm: { late: false } });
  });

  it('takes the late flag of a snapshot row', () => {
    const list = new ConsoleAlarmList(() => facts);
    list.loadSnapshot(
      [rest({ id: 'a1', state: 'RTNUN', active: false, updatedAt: 9000, late: true })],
      list.mark(),
    );
    expect(list.get('a1')?.late).toBe(true);
  });
});
