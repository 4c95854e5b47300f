import { describe, expect, it } from 'vitest';
import {
  compileWarningPolicy,
  reportAlarms,
  reportOnline,
  reportOutOfService,
  reportWarnings,
  type ReportWarningInput,
} from '@hazardwatch/core';

const H = 3_600_000;
const MIN = 60_000;

describe('reportAlarms', () => {
  it('counts by colour, process/quality, ranks enterprises and sources', () => {
    const r = reportAlarms(
      ['E1', 'E2', 'E3'],
      [
        { enterprise: 'E1', pointId: 1, gateway: 'G1', condition: 'HH', colour: 'red', count: 2 },
        { enterprise: 'E1', pointId: 1, gateway: 'G1', condition: 'HH', colour: 'orange', count: 1 },
        { enterprise: 'E1', pointId: 2, gateway: 'G1', condition: 'STALE', colour: 'blue', count: 1 },
        { enterprise: 'E2', pointId: 3, gateway: 'G2', condition: 'H', colour: 'yellow', count: 4 },
        {
          enterprise: 'E2',
          pointId: null,
          gateway: 'G2',
          condition: 'GATEWAY_OFFLINE',
          colour: 'blue',
          count: 1,
        },
        { enterprise: 'E2', pointId: 4, gateway: 'G2', condition: 'NO_LIMITS', colour: null, count: 1 },
        // Not in scope: ignored.
        { enterprise: 'X', pointId: 9, gateway: 'G9', condition: 'HH', colour: 'red', count: 50 },
      ],
    );
    expect(r.total).toBe(10);
    expect(r.byColour).toEqual({ red: 2, orange: 1, yellow: 4, blue: 2, none: 1 });
    expect(r.process).toBe(7);
    expect(r.quality).toBe(3);
    expect(r.byEnterprise.map((e) => [e.enterprise, e.total])).toEqual([
      ['E2', 6],
      ['E1', 4],
      ['E3', 0],
    ]);
    expect(r.topSources[0]).toEqual({
      enterprise: 'E2',
      pointId: 3,
      gateway: 'G2',
      condition: 'H',
      colour: 'yellow',
      count: 4,
    });
    // One source across two colours: counted together, with its worst colour.
    expect(r.topSources[1]).toMatchObject({
      enterprise: 'E1',
      pointId: 1,
      condition: 'HH',
      colour: 'red',
      count: 3,
    });
    expect(reportAlarms(['E1'], [], 10).byEnterprise).toEqual([
      { enterprise: 'E1', total: 0, byColour: { red: 0, orange: 0, yellow: 0, blue: 0, none: 0 } },
    ]);
  });

  it('ties go to the worse colours, then the code', () => {
    const r = reportAlarms(
      ['A', 'B', 'C'],
      [
        { enterprise: 'A', pointId: 1, gateway: 'G', condition: 'H', colour: 'yellow', count: 1 },
        { enterprise: 'B', pointId: 2, gateway: 'G', condition: 'HH', colour: 'red', count: 1 },
        { enterprise: 'C', pointId: 3, gateway: 'G', condition: 'H', colour: 'yellow', count: 1 },
      ],
      2,
    );
    expect(r.byEnterprise.map((e) => e.enterprise)).toEqual(['B', 'A', 'C']);
    expect(r.topSources.map((s) => s.enterprise)).toEqual(['B', 'A']);
  });
});

describe('reportWarnings', () => {
  const policy = compileWarningPolicy();
  const from = 1_000 * H;
  const range = { fromMs: from, toMs: from + 24 * H, endMs: from + 24 * H };
  const now = from + 48 * H;
  const w = (id: string, over: Partial<ReportWarningInput>): ReportWarningInput => ({
    id,
    enterprise: 'E1',
    hazard: 'HZ1',
    colour: 'red',
    state: 'closed',
    openedAt: from + H,
    closedAt: null,
    events: [],
    ...over,
  });
  const opened = (t: number) => ({ type: 'opened' as const, ts: t });

  it('counts standing, opened, carried over, closed and the loop on time', () => {
    const t = from + H;
    const r = reportWarnings(
      [
        // Red handled on time: signed in 2 min (5), feedback in 20 min (30), verified, closed.
        w('a', {
          closedAt: t + 60 * MIN,
          events: [
            opened(t),
            { type: 'signed', ts: t + 2 * MIN },
            { type: 'feedback', ts: t + 20 * MIN },
            { type: 'verified', ts: t + 40 * MIN },
            { type: 'closed', ts: t + 60 * MIN },
          ],
        }),
        // Red signed late (10 min > 5 min), closed: handled, not on time.
        w('b', {
          closedAt: t + 90 * MIN,
          events: [
            opened(t),
            { type: 'signed', ts: t + 10 * MIN },
            { type: 'feedback', ts: t + 25 * MIN },
            { type: 'verified', ts: t + 80 * MIN },
            { type: 'closed', ts: t + 90 * MIN },
          ],
        }),
        // Yellow still open, never signed: overdue at the report time (60 min).
        w('c', { colour: 'yellow', state: 'pushed', events: [opened(t)] }),
        // Blue fed back in time (72 h), not signed deadline: signed counts on time.
        w('d', {
          colour: 'blue',
          state: 'feedback',
          events: [opened(t), { type: 'signed', ts: t + 5 * H }, { type: 'feedback', ts: t + 6 * H }],
        }),
        // Opened before the period, closed inside it.
        w('e', { openedAt: from - 5 * H, closedAt: from + 2 * H, events: [opened(from - 5 * H)] }),
        // Closed before the period / opened after it: not standing.
        w('f', { openedAt: from - 5 * H, closedAt: from - H }),
        w('g', { openedAt: from + 25 * H }),
      ],
      range,
      policy,
      now,
    );
    expect(r).toMatchObject({
      standing: 5,
      opened: 4,
      openedByColour: { red: 2, orange: 0, yellow: 1, blue: 1 },
      carriedOver: 1,
      closedInPeriod: 3,
      openAtEnd: 2,
      signed: 3,
      signedOnTime: 2,
      fedBack: 3,
      fedBackOnTime: 3,
      verified: 2,
      closed: 2,
      handledOnTime: 1,
      overdue: 2,
    });
    expect(r.overdueItems.map((o) => [o.id, o.steps])).toEqual([
      ['b', ['sign']],
      ['c', ['sign', 'feedback']],
    ]);
  });

  it('a missed 督办 deadline makes it overdue', () => {
    const t = from + H;
    const r = reportWarnings(
      [
        w('u', {
          colour: 'blue',
          state: 'signed',
          events: [
            opened(t),
            { type: 'signed', ts: t + MIN },
            { type: 'urged', ts: t + 2 * MIN, deadline: t + H },
          ],
        }),
      ],
      range,
      policy,
      now,
    );
    expect(r.overdue).toBe(1);
    expect(r.overdueItems[0]!.steps).toEqual(['urge']);
  });
});

describe('reportOnline', () => {
  const range = { fromMs: 0, endMs: 10 * H };
  it('unions offline alarm spans, data-loss spans and the stored offline status per gateway', () => {
    const { enterprises: rows, onlineRatePct } = reportOnline(
      ['E1', 'E2', 'E3'],
      [
        { enterprise: 'E1', gateway: 'G1', status: { online: true, sinceMs: 5 * H } },
        { enterprise: 'E1', gateway: 'G2', status: { online: false, sinceMs: 9 * H } },
        { enterprise: 'E2', gateway: 'G3', status: null },
      ],
      [
        // G1 offline 1–3 h (returns to RTNUN), re-alarms 4 h, back to NORM at 5 h.
        { alarmId: 'x', enterprise: 'E1', gateway: 'G1', from: 'NORM', to: 'UNACK', ts: 1 * H },
        { alarmId: 'x', enterprise: 'E1', gateway: 'G1', from: 'UNACK', to: 'RTNUN', ts: 3 * H },
        { alarmId: 'x', enterprise: 'E1', gateway: 'G1', from: 'RTNUN', to: 'UNACK', ts: 4 * H },
        { alarmId: 'x', enterprise: 'E1', gateway: 'G1', from: 'UNACK', to: 'ACKED', ts: 4.5 * H },
        { alarmId: 'x', enterprise: 'E1', gateway: 'G1', from: 'ACKED', to: 'NORM', ts: 5 * H },
        // G2: raised at 9.5 h and still active → to the end; its status says offline since 9 h.
        { alarmId: 'y', enterprise: 'E1', gateway: 'G2', from: 'NORM', to: 'UNACK', ts: 9.5 * H },
      ],
      [
        // Overlaps G1's first outage by 1 h: counted once (2.5–3.5 h adds 0.5 h).
        { enterprise: 'E1', gateway: 'G1', fromMs: 2.5 * H, toMs: 3.5 * H },
        // Without a span: hides no time.
        { enterprise: 'E1', gateway: 'G2', fromMs: null, toMs: null },
      ],
      range,
    );
    const [e1, e2, e3] = rows;
    expect(e1!.gatewayRows.map((g) => [g.gateway, g.unavailableMs / H, g.onlineRatePct])).toEqual([
      ['G1', 3.5, 65],
      ['G2', 1, 90],
    ]);
    expect(e1!.onlineRatePct).toBeCloseTo(77.5, 9);
    expect(e2).toMatchObject({ gateways: 1, onlineRatePct: 0 });
    expect(e2!.gatewayRows[0]!.neverHeard).toBe(true);
    expect(e3).toMatchObject({ gateways: 0, onlineRatePct: null });
    // Scope: 3 gateways × 10 h, 4.5 h + 10 h unavailable.
    expect(onlineRatePct).toBeCloseTo(100 * (1 - 14.5 / 30), 9);
  });
});

describe('reportOutOfService', () => {
  it('lists points out before the end, with their time out within the period', () => {
    const p = (pointId: number, tag: string, sinceMs: number | null) => ({
      pointId,
      enterprise: 'E1',
      hazard: null,
      tag,
      name: tag,
      sinceMs,
      changeId: null,
    });
    const out = reportOutOfService(
      [p(1, 'B', 2 * H), p(2, 'A', null), p(3, 'C', 20 * H), p(4, 'D', -5 * H)],
      { fromMs: 0, toMs: 10 * H, endMs: 10 * H },
    );
    expect(out.map((o) => [o.tag, o.outMs / H])).toEqual([
      ['A', 10],
      ['B', 8],
      ['D', 10],
    ]);
    // A period not yet ended (now = 4 h): a point taken out just now is listed, out for 0 ms.
    const partial = reportOutOfService([p(5, 'E', 4 * H)], { fromMs: 0, toMs: 10 * H, endMs: 4 * H });
    expect(partial.map((o) => [o.tag, o.outMs])).toEqual([['E', 0]]);
  });
});
