import { describe, expect, it } from 'vitest';
import { chinaDay, parseReportDate, reportPeriod } from '@hazardwatch/core';

const utc = (iso: string): number => Date.parse(iso);
const LATER = utc('2030-01-01T00:00:00Z');

describe('reportPeriod (China time, UTC+8)', () => {
  it.each([
    // kind, date, from (UTC), to (UTC), label, first, last
    [
      'day',
      '2026-12-06',
      '2026-12-05T16:00:00Z',
      '2026-12-06T16:00:00Z',
      '2026-12-06',
      '2026-12-06',
      '2026-12-06',
    ],
    [
      'day',
      '2026-03-01',
      '2026-02-28T16:00:00Z',
      '2026-03-01T16:00:00Z',
      '2026-03-01',
      '2026-03-01',
      '2026-03-01',
    ],
    // ISO week 49 of 2026: Monday 30 November to Sunday 6 December, across a month end.
    [
      'week',
      '2026-12-02',
      '2026-11-29T16:00:00Z',
      '2026-12-06T16:00:00Z',
      '2026-W49',
      '2026-11-30',
      '2026-12-06',
    ],
    [
      'week',
      '2026-12-06',
      '2026-11-29T16:00:00Z',
      '2026-12-06T16:00:00Z',
      '2026-W49',
      '2026-11-30',
      '2026-12-06',
    ],
    [
      'week',
      '2026-11-30',
      '2026-11-29T16:00:00Z',
      '2026-12-06T16:00:00Z',
      '2026-W49',
      '2026-11-30',
      '2026-12-06',
    ],
    // Across a year end: 2026-12-31 (Thursday) is in 2026-W53, Monday 28 Dec to Sunday 3 Jan.
    [
      'week',
      '2026-12-31',
      '2026-12-27T16:00:00Z',
      '2027-01-03T16:00:00Z',
      '2026-W53',
      '2026-12-28',
      '2027-01-03',
    ],
    [
      'week',
      '2027-01-03',
      '2026-12-27T16:00:00Z',
      '2027-01-03T16:00:00Z',
      '2026-W53',
      '2026-12-28',
      '2027-01-03',
    ],
    // 2025-12-31 (Wednesday) belongs to 2026-W01 (its Thursday is 1 January 2026).
    [
      'week',
      '2025-12-31',
      '2025-12-28T16:00:00Z',
      '2026-01-04T16:00:00Z',
      '2026-W01',
      '2025-12-29',
      '2026-01-04',
    ],
    [
      'month',
      '2026-12-15',
      '2026-11-30T16:00:00Z',
      '2026-12-31T16:00:00Z',
      '2026-12',
      '2026-12-01',
      '2026-12-31',
    ],
    [
      'month',
      '2028-02-10',
      '2028-01-31T16:00:00Z',
      '2028-02-29T16:00:00Z',
      '2028-02',
      '2028-02-01',
      '2028-02-29',
    ],
  ] as const)('%s of %s is [%s, %s) labelled %s', (kind, date, from, to, label, first, last) => {
    const p = reportPeriod(kind, date, LATER)!;
    expect(p).toMatchObject({ kind, label, firstDay: first, lastDay: last, partial: false });
    expect(new Date(p.fromMs).toISOString()).toBe(new Date(utc(from)).toISOString());
    expect(new Date(p.toMs).toISOString()).toBe(new Date(utc(to)).toISOString());
    expect(p.endMs).toBe(p.toMs);
  });

  it('a period not yet ended is partial and reported up to now', () => {
    // 2026-12-06 10:00 China time = 02:00 UTC: the day is 10 hours old.
    const now = utc('2026-12-06T02:00:00Z');
    const p = reportPeriod('day', '2026-12-06', now)!;
    expect(p.partial).toBe(true);
    expect(p.endMs).toBe(now);
    expect(p.endMs - p.fromMs).toBe(10 * 3_600_000);
    // The UTC day 2026-12-06 has begun, but in China the 7th has not: it has not started.
    expect(reportPeriod('day', '2026-12-07', now)!.endMs).toBe(
      reportPeriod('day', '2026-12-07', now)!.fromMs,
    );
    // At 00:00 China time the day before is complete.
    expect(reportPeriod('day', '2026-12-05', utc('2026-12-05T16:00:00Z'))!.partial).toBe(false);
    expect(reportPeriod('day', '2026-12-05', utc('2026-12-05T15:59:59.999Z'))!.partial).toBe(true);
  });

  it('refuses dates that are not calendar days', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-01', '20261201', ''])
      expect(reportPeriod('day', bad, LATER)).toBeNull();
    expect(parseReportDate('2028-02-29')).toBe(utc('2028-02-29T00:00:00Z'));
    expect(parseReportDate('2027-02-29')).toBeNull();
  });

  it('chinaDay is the UTC+8 calendar day of an instant', () => {
    expect(chinaDay(utc('2026-12-05T15:59:59Z'))).toBe('2026-12-05');
    expect(chinaDay(utc('2026-12-05T16:00:00Z'))).toBe('2026-12-06');
  });
});
