import { describe, expect, it } from 'vitest';
import {
  alarmKpiReport,
  isAlarmActivation,
  isAlarmAnnunciation,
  kpiErrors,
  type AlarmKpiReport,
  type KpiTargetId,
} from '@hazardwatch/core';
import type { AlarmEvent, AlarmState, WarningColour } from '@hazardwatch/contracts';
import { DAY, HOUR, MIN, SEC, T0, ev, gatewayEv, raise } from './kpi-events.js';

const target = (r: AlarmKpiReport, id: KpiTargetId) => r.targets.find((t) => t.id === id)!;

describe('what counts as an alarm (annunciation) and as an activation', () => {
  it.each<[AlarmState, AlarmState, boolean, boolean]>([
    ['NORM', 'UNACK', true, true],
    ['RTNUN', 'UNACK', true, true],
    ['ACKED', 'UNACK', true, false],
    ['SHLVD', 'UNACK', false, false],
    ['DSUPR', 'UNACK', false, false],
    ['OOSRV', 'UNACK', false, false],
    ['UNACK', 'ACKED', false, false],
    ['UNACK', 'RTNUN', false, false],
    ['ACKED', 'NORM', false, false],
    ['NORM', 'SHLVD', false, false],
  ])('%s → %s: annunciation %s, activation %s', (from, to, annunciation, activation) => {
    expect(isAlarmAnnunciation({ from, to })).toBe(annunciation);
    expect(isAlarmActivation({ from, to })).toBe(activation);
  });
});

describe('rates, intervals and floods (hand-computed)', () => {
  // Range: 2 h = 12 intervals of 10 min. 13 alarms in the first interval, 30 s apart, on 13
  // different points; 5 more alarms spread over the rest, plus non-counting transitions.
  const range = { fromMs: T0, toMs: T0 + 2 * HOUR };
  const burst = Array.from({ length: 13 }, (_, i) => raise(100 + i, T0 + i * 30 * SEC));
  const spread = [20, 35, 50, 80, 115].map((m, i) => raise(200 + i, T0 + m * MIN));
  const noise = [
    ev(100, 'UNACK', 'ACKED', T0 + 40 * MIN),
    ev(100, 'ACKED', 'NORM', T0 + 41 * MIN),
    raise(300, T0 - 1), // before the range
    raise(301, T0 + 2 * HOUR), // at the exclusive end
  ];
  const report = alarmKpiReport([...noise, ...spread, ...burst], range);

  it('counts 18 alarms: 9/h and 1.5 per 10 min', () => {
    expect(report.total).toBe(18);
    expect(report.avgPerHour).toBe(9);
    expect(report.avgPer10Min).toBe(1.5);
    expect(report.range).toEqual({ ...range, hours: 2, coversRecommendedPeriod: false });
  });

  it('13 alarms in one 10-minute interval ⇒ 1 flood interval of 12 (8.33 %), peak 13', () => {
    expect(report.intervals.count).toBe(12);
    expect(report.intervals.counts).toEqual([13, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect(report.intervals.overThreshold).toBe(1);
    expect(report.intervals.overThresholdSharePct).toBeCloseTo(100 / 12, 10);
    expect(report.intervals.peak).toBe(13);
  });

  it('one flood episode: from the 11th alarm (5 min) until the window falls back to 10 (11 min)', () => {
    expect(report.floods.episodes).toEqual([
      { startMs: T0 + 5 * MIN, endMs: T0 + 11 * MIN, peakCount: 13, clipped: false },
    ]);
    expect(report.floods.floodTimeMs).toBe(6 * MIN);
    expect(report.floods.floodTimeSharePct).toBe(5);
  });

  it('targets and alerts: 9/h is manageable but not acceptable; 5 % of the time in flood alerts', () => {
    expect(target(report, 'avgPerHourAcceptable')).toMatchObject({ value: 9, limit: 6, pass: false });
    expect(target(report, 'avgPerHourManageable')).toMatchObject({ value: 9, limit: 12, pass: true });
    expect(target(report, 'floodIntervalShare').pass).toBe(false);
    expect(target(report, 'peakPer10Min')).toMatchObject({ value: 13, pass: false });
    expect(target(report, 'chattering')).toMatchObject({ value: 0, pass: true });
    expect(target(report, 'priorityRed')).toMatchObject({ value: null, pass: null });
    expect(report.priority).toBeNull();
    expect(report.alerts).toEqual([{ code: 'FLOOD_TIME_OVER_TARGET', value: 5, limit: 1 }]);
  });

  it('exactly 10 alarms in a window is no flood', () => {
    const r = alarmKpiReport(burst.slice(0, 10), range);
    expect(r.intervals.overThreshold).toBe(0);
    expect(r.floods.episodes).toEqual([]);
  });

  it('a flood still running at the end of the range is clipped there', () => {
    const r = alarmKpiReport(burst, { fromMs: T0, toMs: T0 + 7 * MIN });
    expect(r.floods.episodes).toEqual([
      { startMs: T0 + 5 * MIN, endMs: T0 + 7 * MIN, peakCount: 13, clipped: true },
    ]);
  });

  it('more than 12 alarms per hour raises the rate alert', () => {
    const events = Array.from({ length: 13 }, (_, i) => raise(i, T0 + i * 4 * MIN));
    const r = alarmKpiReport(events, { fromMs: T0, toMs: T0 + HOUR });
    expect(r.alerts).toEqual([{ code: 'ALARM_RATE_OVER_MANAGEABLE', value: 13, limit: 12 }]);
  });

  it('scopes to a console with `include`', () => {
    const r = alarmKpiReport([...spread, ...burst], range, { include: (e) => (e.pointId ?? 0) >= 200 });
    expect(r.total).toBe(5);
  });
});

describe('chattering: ≥ 3 activations within 60 s for one source + condition', () => {
  /** Three activations of point 7 (NORM→UNACK, then RTNUN→UNACK twice) spanning `spanMs`. */
  const chatter = (spanMs: number, condition: 'H' | 'HH' = 'H'): AlarmEvent[] => [
    ev(7, 'NORM', 'UNACK', T0, condition),
    ev(7, 'UNACK', 'RTNUN', T0 + 1 * SEC, condition),
    ev(7, 'RTNUN', 'UNACK', T0 + spanMs / 2, condition),
    ev(7, 'UNACK', 'RTNUN', T0 + spanMs / 2 + SEC, condition),
    ev(7, 'RTNUN', 'UNACK', T0 + spanMs, condition),
  ];
  const range = { fromMs: T0, toMs: T0 + HOUR };

  it.each([
    [59 * SEC, 1],
    [60 * SEC, 1],
    [61 * SEC, 0],
  ])('3 activations within %i ms ⇒ %i chattering', (span, count) => {
    const r = alarmKpiReport(chatter(span), range);
    expect(r.chattering.count).toBe(count);
    expect(target(r, 'chattering').pass).toBe(count === 0);
  });

  it('lists the source with its activations and the worst window', () => {
    const events = [
      ...chatter(59 * SEC),
      ev(7, 'UNACK', 'RTNUN', T0 + 70 * SEC),
      ev(7, 'RTNUN', 'UNACK', T0 + 80 * SEC),
    ];
    expect(alarmKpiReport(events, range).chattering.alarms).toEqual([
      { sourceKey: 'point:7', pointId: 7, condition: 'H', activations: 4, maxInWindow: 3, firstMs: T0 },
    ]);
  });

  it('keeps conditions apart, and re-alarms from ACKED are not activations', () => {
    const split = [...chatter(59 * SEC).slice(0, 3), ...chatter(59 * SEC, 'HH').slice(3)];
    expect(alarmKpiReport(split, range).chattering.count).toBe(0);
    const reAlarms = [
      raise(8, T0),
      ev(8, 'UNACK', 'ACKED', T0 + 5 * SEC),
      ev(8, 'ACKED', 'UNACK', T0 + 10 * SEC),
      ev(8, 'UNACK', 'ACKED', T0 + 15 * SEC),
      ev(8, 'ACKED', 'UNACK', T0 + 20 * SEC),
    ];
    const r = alarmKpiReport(reAlarms, range);
    expect(r.total).toBe(3); // re-alarms count as annunciations…
    expect(r.chattering.count).toBe(0); // …but not as activations
  });
});

describe('top-10 most frequent alarms', () => {
  it('ranks (source, condition) by count with their share of the load', () => {
    // Point i raises i times (i = 1…12): 78 alarms.
    const events: AlarmEvent[] = [];
    for (let p = 1; p <= 12; p++)
      for (let k = 0; k < p; k++) {
        events.push(
          ev(p, 'NORM', 'UNACK', T0 + (p * 100 + k) * MIN),
          ev(p, 'UNACK', 'NORM', T0 + (p * 100 + k) * MIN + SEC),
        );
      }
    const r = alarmKpiReport(events, { fromMs: T0, toMs: T0 + 30 * DAY });
    expect(r.total).toBe(78);
    expect(r.top.entries.map((e) => [e.pointId, e.count])).toEqual([
      [12, 12],
      [11, 11],
      [10, 10],
      [9, 9],
      [8, 8],
      [7, 7],
      [6, 6],
      [5, 5],
      [4, 4],
      [3, 3],
    ]);
    expect(r.top.entries[0]!.sharePct).toBeCloseTo((12 / 78) * 100, 10);
    expect(r.top.sharePct).toBeCloseTo((75 / 78) * 100, 10);
    expect(target(r, 'top10Share').pass).toBe(false);
    expect(r.range.coversRecommendedPeriod).toBe(true);
  });

  it('counts gateway alarms (no point) by their source key', () => {
    const events = [
      gatewayEv('GW1', 'NORM', 'UNACK', T0),
      gatewayEv('GW1', 'UNACK', 'RTNUN', T0 + MIN),
      gatewayEv('GW1', 'RTNUN', 'UNACK', T0 + 2 * MIN),
      raise(1, T0),
    ];
    const r = alarmKpiReport(events, { fromMs: T0, toMs: T0 + DAY });
    expect(r.top.entries.map((e) => [e.sourceKey, e.pointId, e.count])).toEqual([
      ['gateway:E1/GW1', null, 2],
      ['point:1', 1, 1],
    ]);
  });
});

describe('stale alarms: active (UNACK/ACKED) for more than 24 h at the end of the range', () => {
  const toMs = T0 + 10 * DAY;
  const range = { fromMs: T0 + 9 * DAY, toMs };
  const cases: [string, AlarmEvent[], boolean][] = [
    ['acked 25 h ago', [raise(1, toMs - 25 * HOUR), ev(1, 'UNACK', 'ACKED', toMs - 24 * HOUR)], true],
    ['unacked 3 days ago (before the range)', [raise(2, toMs - 3 * DAY)], true],
    ['raised 23 h ago', [raise(3, toMs - 23 * HOUR)], false],
    ['exactly 24 h', [raise(4, toMs - 24 * HOUR)], false],
    [
      'returned to normal',
      [
        raise(5, toMs - 30 * HOUR),
        ev(5, 'UNACK', 'ACKED', toMs - 29 * HOUR),
        ev(5, 'ACKED', 'NORM', toMs - 2 * HOUR),
      ],
      false,
    ],
    [
      'RTNUN (cleared, awaiting ack)',
      [raise(6, toMs - 30 * HOUR), ev(6, 'UNACK', 'RTNUN', toMs - 29 * HOUR)],
      false,
    ],
    [
      're-alarm from ACKED does not restart the age',
      [
        raise(7, toMs - 30 * HOUR),
        ev(7, 'UNACK', 'ACKED', toMs - 29 * HOUR),
        ev(7, 'ACKED', 'UNACK', toMs - HOUR),
      ],
      true,
    ],
    [
      're-alarm after clearing restarts it',
      [
        raise(8, toMs - 30 * HOUR),
        ev(8, 'UNACK', 'RTNUN', toMs - 29 * HOUR),
        ev(8, 'RTNUN', 'UNACK', toMs - HOUR),
      ],
      false,
    ],
    ['shelved', [raise(9, toMs - 30 * HOUR), ev(9, 'UNACK', 'SHLVD', toMs - 29 * HOUR)], false],
    [
      'cleared after the range end',
      [raise(10, toMs - 30 * HOUR), ev(10, 'UNACK', 'NORM', toMs + HOUR)],
      true,
    ],
  ];

  it.each(cases)('%s → stale %s', (_name, events, stale) => {
    expect(alarmKpiReport(events, range).stale.count).toBe(stale ? 1 : 0);
  });

  it('reports age and state; 5 stale alarms fail the "< 5" target', () => {
    const all = cases.flatMap(([, e]) => e);
    const five = [...all, raise(11, toMs - 48 * HOUR)];
    const r = alarmKpiReport(five, range);
    expect(r.stale.alarms.map((a) => [a.pointId, a.state, a.ageMs / HOUR])).toEqual([
      [2, 'UNACK', 72],
      [11, 'UNACK', 48],
      [10, 'UNACK', 30], // equal age: by alarm id ('a-10-H' < 'a-7-H')
      [7, 'UNACK', 30],
      [1, 'ACKED', 25],
    ]);
    expect(target(r, 'stale')).toMatchObject({ value: 5, limit: 5, pass: false });
  });
});

describe('priority (colour) distribution: ~80/15/5, red < 1 %', () => {
  const mix = (counts: Record<WarningColour, number>, unknown = 0) => {
    const events: AlarmEvent[] = [];
    const colour = new Map<string, WarningColour>();
    let i = 0;
    for (const [c, n] of Object.entries(counts) as [WarningColour, number][])
      for (let k = 0; k < n; k++, i++) {
        const e = raise(i, T0 + i * MIN);
        events.push(e);
        colour.set(e.alarmId, c);
      }
    for (let k = 0; k < unknown; k++, i++) events.push(raise(i, T0 + i * MIN));
    return alarmKpiReport(events, { fromMs: T0, toMs: T0 + 30 * DAY }, { colourOf: (id) => colour.get(id) });
  };

  it('80/15/5/0 passes every priority target', () => {
    const r = mix({ blue: 80, yellow: 15, orange: 5, red: 0 }, 10);
    expect(r.priority).toEqual({
      counts: { blue: 80, yellow: 15, orange: 5, red: 0 },
      unknown: 10,
      sharePct: { blue: 80, yellow: 15, orange: 5, red: 0 },
    });
    expect(
      ['priorityRed', 'priorityOrange', 'priorityYellow'].map((id) => target(r, id as KpiTargetId).pass),
    ).toEqual([true, true, true]);
  });

  it('2 % red and 20 % yellow fail', () => {
    const r = mix({ blue: 70, yellow: 20, orange: 8, red: 2 });
    expect(
      ['priorityRed', 'priorityOrange', 'priorityYellow'].map((id) => target(r, id as KpiTargetId).pass),
    ).toEqual([false, false, false]);
  });

  it('targets are configurable', () => {
    const events = [raise(1, T0)];
    const r = alarmKpiReport(
      events,
      { fromMs: T0, toMs: T0 + HOUR },
      { targets: { manageablePerHour: 0.5 } },
    );
    expect(r.alerts.map((a) => a.code)).toEqual(['ALARM_RATE_OVER_MANAGEABLE']);
  });
});

describe('bad calls throw coded errors', () => {
  it.each([
    [{ fromMs: T0, toMs: T0 }, {}, 'HW_CORE_KPI_INVALID_RANGE'],
    [{ fromMs: T0, toMs: Number.NaN }, {}, 'HW_CORE_KPI_INVALID_RANGE'],
    [{ fromMs: T0, toMs: T0 + HOUR }, { intervalMs: 0 }, 'HW_CORE_KPI_INVALID_OPTION'],
    [{ fromMs: T0, toMs: T0 + HOUR }, { topN: 1.5 }, 'HW_CORE_KPI_INVALID_OPTION'],
    [{ fromMs: T0, toMs: T0 + HOUR }, { colour: () => 'red' }, 'HW_CORE_KPI_INVALID_OPTION'],
    [{ fromMs: T0, toMs: T0 + HOUR }, { targets: { stale: -1 } }, 'HW_CORE_KPI_INVALID_OPTION'],
    [{ fromMs: T0, toMs: T0 + HOUR }, { targets: { staleCount: 1 } }, 'HW_CORE_KPI_INVALID_OPTION'],
  ])('%j %j → %s', (range, options, code) => {
    expect(() => alarmKpiReport([], range, options as never)).toThrow(expect.objectContaining({ code }));
  });

  it('kpi error codes follow HW_CORE_KPI_* and render', () => {
    for (const code of kpiErrors.codes) {
      expect(code).toMatch(/^HW_CORE_KPI_[A-Z_]+$/);
      const err = kpiErrors.create(code, { fromMs: 1, toMs: 0, key: 'k', problem: 'p' });
      expect(err.message).not.toMatch(/\{[A-Za-z0-9_]+\}/);
    }
  });
});

describe('late alarms (replayed readings) are counted apart', () => {
  it('3 live + 2 late raises: total 3, late 2; the late ones are in no rate, flood or top list', () => {
    const range = { fromMs: T0, toMs: T0 + HOUR };
    const late = (pointId: number, ts: number): AlarmEvent => ({ ...raise(pointId, ts), late: true });
    const report = alarmKpiReport(
      [
        raise(1, T0 + MIN),
        raise(2, T0 + 2 * MIN),
        raise(3, T0 + 3 * MIN),
        late(4, T0 + 4 * MIN),
        { ...ev(4, 'UNACK', 'RTNUN', T0 + 5 * MIN), late: true },
        late(5, T0 + 6 * MIN),
      ],
      range,
    );
    expect(report.total).toBe(3);
    expect(report.late).toEqual({ count: 2 });
    expect(report.top.entries.map((s) => s.pointId)).not.toContain(4);
  });
});
