import { describe, expect, it } from 'vitest';
import {
  NotificationGrouper,
  warningErrors,
  type OutboundWarningNotification,
  type WarningNotification,
} from '@hazardwatch/core';
import type { WarningColour } from '@hazardwatch/contracts';
import { makeDesk, ok } from './desk-helpers.js';
import { MIN, T0 } from './warning-site.js';

const SEC = 1000;

function note(warningId: string, colour: WarningColour, ts: number, enterprise = 'E1'): WarningNotification {
  return {
    warningId,
    enterprise,
    hazard: 'TF1',
    kind: 'opened',
    colour,
    level: 'enterprise',
    ts,
    recipients: [
      { role: 'principal', name: '张主', contact: '1' },
      { role: 'regulator', regionCode: `R-${warningId}`, tier: 'county' },
    ],
  };
}

/** `n` alarms at E1, one every `gapMs`, starting at `from`. */
function alarms(g: NotificationGrouper, n: number, from: number, gapMs: number, enterprise = 'E1'): void {
  for (let i = 0; i < n; i++) g.recordAlarm(enterprise, from + i * gapMs);
}

const kinds = (out: readonly OutboundWarningNotification[]) => out.map((n) => n.kind);

describe('flood detection: more than 10 new alarms in 10 minutes (REFERENCE §7)', () => {
  it.each([
    [10, 'not in flood', false],
    [11, 'in flood', true],
  ])('%i alarms within 9 min 10 s → %s', (n, _label, flood) => {
    const g = new NotificationGrouper();
    alarms(g, n, T0, 55 * SEC);
    expect(g.inFlood('E1', T0 + 10 * 55 * SEC)).toBe(flood);
  });

  it('the flood ends when the oldest alarm leaves the window (now − 10 min, now]', () => {
    const g = new NotificationGrouper();
    alarms(g, 11, T0, SEC);
    expect(g.inFlood('E1', T0 + 10 * MIN - 1)).toBe(true);
    expect(g.inFlood('E1', T0 + 10 * MIN)).toBe(false);
    expect(g.inFlood('E2', T0 + 10 * SEC)).toBe(false);
  });

  it('counts alarms that arrive out of order', () => {
    const g = new NotificationGrouper();
    for (const i of [5, 3, 9, 0, 1, 10, 2, 8, 4, 7, 6]) g.recordAlarm('E1', T0 + i * SEC);
    expect(g.inFlood('E1', T0 + 20 * SEC)).toBe(true);
  });
});

describe('NotificationGrouper', () => {
  it('passes notifications straight through outside a flood', () => {
    const g = new NotificationGrouper();
    const n = note('w1', 'yellow', T0);
    expect(g.push(n, T0)).toEqual([n]);
  });

  it('during a flood groups one summary per interval (default 60 s)', () => {
    const g = new NotificationGrouper();
    alarms(g, 12, T0, SEC);
    const t = T0 + 20 * SEC;
    expect(g.push(note('w1', 'yellow', t), t)).toEqual([]);
    expect(g.push(note('w2', 'red', t + 10 * SEC), t + 10 * SEC)).toEqual([]);
    expect(g.push(note('w1', 'orange', t + 20 * SEC), t + 20 * SEC)).toEqual([]);
    expect(g.flush(t + 60 * SEC - 1)).toEqual([]);
    const [summary, ...rest] = g.flush(t + 60 * SEC);
    expect(rest).toEqual([]);
    expect(summary).toEqual({
      kind: 'summary',
      enterprise: 'E1',
      colour: 'red',
      count: 3,
      warningIds: ['w1', 'w2'],
      kinds: { opened: 3 },
      recipients: [
        { role: 'principal', name: '张主', contact: '1' },
        { role: 'regulator', regionCode: 'R-w1', tier: 'county' },
        { role: 'regulator', regionCode: 'R-w2', tier: 'county' },
      ],
      fromMs: t,
      toMs: t + 20 * SEC,
      ts: t + 60 * SEC,
    });
    expect(g.pending().size).toBe(0);
    // The next notification in the same flood starts a new interval.
    expect(g.push(note('w3', 'blue', t + 61 * SEC), t + 61 * SEC)).toEqual([]);
    expect(g.pending().get('E1')).toHaveLength(1);
  });

  it('groups per enterprise: a quiet site is not held back by a flooded one', () => {
    const g = new NotificationGrouper();
    alarms(g, 11, T0, SEC);
    expect(g.push(note('w1', 'red', T0 + 20 * SEC), T0 + 20 * SEC)).toEqual([]);
    expect(kinds(g.push(note('w2', 'red', T0 + 20 * SEC, 'E2'), T0 + 20 * SEC))).toEqual(['opened']);
  });

  it('when the flood ends, held notifications are released before new ones', () => {
    const g = new NotificationGrouper();
    alarms(g, 11, T0, SEC);
    g.push(note('w1', 'yellow', T0 + 20 * SEC), T0 + 20 * SEC);
    g.push(note('w2', 'yellow', T0 + 21 * SEC), T0 + 21 * SEC);
    const after = T0 + 10 * MIN + 5 * SEC; // out of flood, before any flush
    const out = g.push(note('w3', 'blue', after), after);
    expect(out.map((n) => (n.kind === 'summary' ? `summary:${n.count}` : n.warningId))).toEqual([
      'summary:2',
      'w3',
    ]);
  });

  it('flush releases a group early when the flood is over; a group of one goes out as itself', () => {
    const g = new NotificationGrouper({ intervalMs: 5 * MIN });
    alarms(g, 11, T0, SEC);
    const n = note('w1', 'orange', T0 + 20 * SEC);
    g.push(n, T0 + 20 * SEC);
    expect(g.flush(T0 + 10 * MIN)).toEqual([n]);
  });

  it('passThroughColours are delivered at once even during a flood', () => {
    const g = new NotificationGrouper({ passThroughColours: ['red'] });
    alarms(g, 11, T0, SEC);
    expect(kinds(g.push(note('w1', 'red', T0 + 20 * SEC), T0 + 20 * SEC))).toEqual(['opened']);
    expect(g.push(note('w2', 'orange', T0 + 20 * SEC), T0 + 20 * SEC)).toEqual([]);
  });

  it('grouping changes delivery only: the desk still records every warning', () => {
    const desk = makeDesk();
    const g = new NotificationGrouper();
    alarms(g, 11, T0, SEC);
    const now = T0 + 15 * SEC;
    const a = ok(desk.open({ enterprise: 'E1', hazard: 'TF1' }, 'orange', ['x1'], now));
    const b = ok(desk.open({ enterprise: 'E1', hazard: 'TF2' }, 'yellow', ['x2'], now));
    expect([...a.events, ...b.events].map((e) => e.type)).toEqual(['opened', 'opened']);
    for (const n of [...a.notifications, ...b.notifications]) expect(g.push(n, now)).toEqual([]);
    const out = g.flush(now + 60 * SEC);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      kind: 'summary',
      count: 2,
      colour: 'orange',
      warningIds: [a.warningId, b.warningId],
    });
  });

  it.each([
    [{ intervalMs: 0 }, 'intervalMs'],
    [{ floodThreshold: 2.5 }, 'floodThreshold'],
    [{ floodWindowMs: Number.NaN }, 'floodWindowMs'],
    [{ passThroughColours: ['green'] }, 'passThroughColours'],
  ])('rejects %j', (options, key) => {
    try {
      new NotificationGrouper(options as never);
      expect.fail('should throw');
    } catch (err) {
      expect(warningErrors.is(err, 'HW_CORE_WARNING_INVALID_GROUPING')).toBe(true);
      expect((err as { data: { key: string } }).data.key).toBe(key);
    }
  });
});
