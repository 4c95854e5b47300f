import { describe, expect, it } from 'vitest';
import {
  formatVerificationTable,
  parseScenario,
  verifyExpectations,
  type ObservedAlarm,
  type RunTimeline,
} from '@hazardwatch/simulators';

const E = 'ENT1';
const scenario = parseScenario(`
name: v
site: x.yaml
seed: 1
durationSec: 1000
timeline:
  - { id: inc, type: overfill, atSec: 100, enterprise: ${E}, tank: V }
  - { id: pwr, type: gateway_power_loss, atSec: 500, enterprise: ${E}, gateway: GW01 }
expectations:
  - { id: hh, type: alarm, alarm: { enterprise: ${E}, tag: LT, condition: HH, colour: red }, after: inc, withinSec: 300 }
  - { id: h-once, type: alarm, alarm: { enterprise: ${E}, tag: LT, condition: H }, after: inc, withinSec: 300, maxCount: 1 }
  - { id: quiet, type: no_alarm, alarm: { enterprise: ${E}, tag: PT } }
  - { id: offline, type: alarm, alarm: { enterprise: ${E}, tag: GW01, condition: GATEWAY_OFFLINE, colour: blue }, after: pwr, withinSec: 30 }
  - { id: stale, type: no_alarm, alarm: { condition: STALE }, modes: [realtime] }
`);

// Simulated time 0 = 1,000,000; fast mode: the wall clock started at 5,000,000 and ran 10× faster.
const timeline: RunTimeline = {
  scenario: 'v',
  mode: 'fast',
  seed: 1,
  epochMs: 1_000_000,
  endMs: 2_000_000,
  startedWallMs: 5_000_000,
  endedWallMs: 5_100_000,
  ticks: 1001,
  incidents: [
    {
      id: 'inc',
      type: 'overfill',
      enterprise: E,
      startMs: 1_100_000,
      endMs: undefined,
      startWallMs: 5_010_000,
      endWallMs: undefined,
    },
    {
      id: 'pwr',
      type: 'gateway_power_loss',
      enterprise: E,
      startMs: 1_500_000,
      endMs: undefined,
      startWallMs: 5_050_000,
      endWallMs: undefined,
    },
  ],
  counters: {
    ticks: 0,
    messages: 0,
    telemetryMessages: 0,
    readings: 0,
    publishErrors: 0,
    batchesDropped: 0,
    batchesSpooled: 0,
    batchesReplayed: 0,
    rawMessages: 0,
  },
};
const alarm = (
  tag: string,
  condition: ObservedAlarm['condition'],
  colour: ObservedAlarm['colour'],
  raisedAtMs: number,
): ObservedAlarm => ({
  enterprise: E,
  tag,
  condition,
  colour,
  raisedAtMs,
});
const statusOf = (observed: ObservedAlarm[]) =>
  Object.fromEntries(verifyExpectations(scenario, timeline, observed).verdicts.map((v) => [v.id, v.status]));

describe('verifyExpectations', () => {
  it.each([
    {
      name: 'everything as expected',
      observed: [
        alarm('LT', 'H', 'yellow', 1_200_000),
        alarm('LT', 'HH', 'red', 1_250_000),
        alarm('GW01', 'GATEWAY_OFFLINE', 'blue', 5_050_500),
      ],
      expected: { hh: 'pass', 'h-once': 'pass', quiet: 'pass', offline: 'pass', stale: 'skipped' },
    },
    {
      name: 'HH too late, wrong colour elsewhere',
      observed: [alarm('LT', 'H', 'yellow', 1_200_000), alarm('LT', 'HH', 'red', 1_450_000)],
      expected: { hh: 'fail', 'h-once': 'pass', offline: 'fail' },
    },
    {
      name: 'HH in time but orange',
      observed: [alarm('LT', 'HH', 'orange', 1_150_000)],
      expected: { hh: 'fail' },
    },
    {
      name: 'H chattering, a forbidden alarm',
      observed: [
        alarm('LT', 'H', 'yellow', 1_200_000),
        alarm('LT', 'H', 'yellow', 1_210_000),
        alarm('PT', 'H', 'yellow', 1_900_000),
      ],
      expected: { 'h-once': 'fail', quiet: 'fail' },
    },
    {
      name: 'offline judged on the wall clock, not simulated time',
      observed: [alarm('GW01', 'GATEWAY_OFFLINE', 'blue', 1_500_500)],
      expected: { offline: 'fail' },
    },
    {
      name: 'alarm before the incident does not count',
      observed: [alarm('LT', 'HH', 'red', 1_050_000)],
      expected: { hh: 'fail' },
    },
  ])('$name', ({ observed, expected }) => {
    expect(statusOf(observed)).toMatchObject(expected);
  });

  it('prints a bilingual table with the verdicts', () => {
    const report = verifyExpectations(scenario, timeline, [alarm('LT', 'HH', 'orange', 1_150_000)]);
    expect(report.passed).toBe(false);
    const table = formatVerificationTable(report);
    expect(table).toContain('结果 Result');
    expect(table).toContain('期望 Expectation');
    expect(table).toContain('FAIL 失败');
    expect(table).toContain('SKIP 跳过');
    expect(table).toContain('orange 橙 ✗');
    expect(table.split('\n').at(-1)).toMatch(/^FAILED 失败: \d pass/);
  });
});

describe('late alarms (raised from replayed readings) in expectations', () => {
  const lateScenario = parseScenario(`
name: l
site: x.yaml
seed: 1
durationSec: 1000
timeline:
  - { id: inc, type: overfill, atSec: 100, enterprise: ${E}, tank: V }
expectations:
  - { id: late-hh, type: alarm, alarm: { enterprise: ${E}, tag: LT, condition: HH, late: true }, after: inc, withinSec: 300 }
  - { id: no-live, type: no_alarm, alarm: { enterprise: ${E}, tag: LT, condition: HH, late: false } }
`);
  const hh = (late: boolean | undefined): ObservedAlarm => ({
    ...alarm('LT', 'HH', 'red', 1_150_000),
    ...(late === undefined ? {} : { late }),
  });
  const verdicts = (observed: ObservedAlarm[]) =>
    Object.fromEntries(
      verifyExpectations(lateScenario, timeline, observed).verdicts.map((v) => [v.id, v.status]),
    );

  it.each<[string, ObservedAlarm[], Record<string, string>]>([
    ['a late HH only', [hh(true)], { 'late-hh': 'pass', 'no-live': 'pass' }],
    ['a live HH only', [hh(false)], { 'late-hh': 'fail', 'no-live': 'fail' }],
    ['an alarm without the flag is live', [hh(undefined)], { 'late-hh': 'fail', 'no-live': 'fail' }],
  ])('%s', (_name, observed, expected) => {
    expect(verdicts(observed)).toEqual(expected);
  });
});
