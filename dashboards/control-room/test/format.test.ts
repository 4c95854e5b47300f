import { describe, expect, it } from 'vitest';
import { formatAlarmValue, formatDurationWords, formatLimit, formatValue } from '../src/logic/format.js';

describe('alarm limit formatting', () => {
  it('shows timeouts of staleness and gateway loss as durations, process limits as values', () => {
    expect(formatLimit('GATEWAY_OFFLINE', 120_000)).toBe('02:00');
    expect(formatLimit('STALE', 3_600_000)).toBe('01:00:00');
    expect(formatLimit('HH', 1.2000000000000002)).toBe('1.2');
    expect(formatLimit('OUT_OF_RANGE', null)).toBe('—');
    expect(formatValue(123.456)).toBe('123.5');
  });
});

describe('durations in words, per locale (issue #21: the gateway-offline limit read 120000)', () => {
  it.each([
    [0, '0 秒', '0 s'],
    [30_000, '30 秒', '30 s'],
    [120_000, '2 分钟', '2 min'],
    [125_000, '2 分 5 秒', '2 min 5 s'],
    [3_600_000, '1 小时', '1 h'],
    [5_400_000, '1 小时 30 分', '1 h 30 min'],
    [90_061_000, '1 天 1 小时', '1 d 1 h'],
  ])('%i ms: %s / %s', (ms, zh, en) => {
    expect(formatDurationWords(ms, 'zh-CN')).toBe(zh);
    expect(formatDurationWords(ms, 'en')).toBe(en);
  });

  it('an alarm limit that is a timeout is a duration in the locale; a value stays a value', () => {
    expect(formatLimit('GATEWAY_OFFLINE', 120_000, 'zh-CN')).toBe('2 分钟');
    expect(formatLimit('GATEWAY_OFFLINE', 120_000, 'en')).toBe('2 min');
    expect(formatLimit('STALE', 300_000, 'en')).toBe('5 min');
    expect(formatLimit('HH', 85, 'zh-CN')).toBe('85');
    expect(formatLimit('STALE', null, 'en')).toBe('—');
  });

  it('a stale platform job: value and limit both durations, the value how far past due (issue #20)', () => {
    // 2 days past due against 2 × a 12 h interval (they read 172800000 and 86400000).
    expect(formatAlarmValue('JOB_STALE', 172_800_000, 'zh-CN')).toBe('2 天');
    expect(formatLimit('JOB_STALE', 86_400_000, 'zh-CN')).toBe('1 天');
    expect(formatAlarmValue('JOB_STALE', 172_800_000, 'en')).toBe('2 d');
    expect(formatLimit('JOB_STALE', 86_400_000, 'en')).toBe('1 d');
    expect(formatAlarmValue('JOB_STALE', 90_000_000)).toBe('1d 01:00:00');
    expect(formatLimit('JOB_STALE', 86_400_000)).toBe('1d 00:00:00');
    expect(formatAlarmValue('JOB_FAILED', null)).toBe('—');
    // JOB_FAILED with chunks left: how overdue, a duration like JOB_STALE's.
    expect(formatAlarmValue('JOB_FAILED', 2 * 86_400_000, 'zh-CN')).toBe('2 天');
    expect(formatLimit('JOB_FAILED', 86_400_000, 'en')).toBe(formatLimit('JOB_STALE', 86_400_000, 'en'));
    expect(formatAlarmValue('HH', 85.5)).toBe('85.5');
  });
});
