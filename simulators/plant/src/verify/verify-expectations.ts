/**
 * Compares a scenario's expectations with the alarms the system raised (pure). How alarms are
 * observed (REST, socket events) is the caller's business; here they are plain records.
 *
 * Clocks: process alarms (HH/H/L/LL/ROC_*) are dated by the platform with the source timestamp
 * of the sample that raised them — simulated time — and are compared with the incidents'
 * simulated times. Data-quality alarms (STALE, GATEWAY_OFFLINE, …) are dated by the platform's
 * own clock, and are compared with the wall-clock times at which the runner put the incidents
 * into effect. In real-time mode the two coincide.
 *
 *   alarm     pass: a matching alarm raised in [start + notBeforeSec, start + withinSec] of the
 *             incident, with an expected colour, and at most `maxCount` of them in that window
 *   no_alarm  pass: no matching alarm raised in the window (default: the whole run)
 *   either    skipped when the run's mode is not in the expectation's `modes`
 */
import { QUALITY_CONDITIONS, type AlarmCondition, type WarningColour } from '@hazardwatch/contracts';
import type { RunTimeline } from '../runner/run-timeline.js';
import type { AlarmMatcher, Expectation, Scenario } from '../scenario/scenario-schema.js';

export interface ObservedAlarm {
  readonly enterprise: string;
  /** Point tag; for a gateway alarm (GATEWAY_OFFLINE), the gateway code. */
  readonly tag: string;
  readonly condition: AlarmCondition;
  readonly colour: WarningColour;
  /** When the platform raised it, ms UTC (its alarm event timestamp). */
  readonly raisedAtMs: number;
  /** Raised from replayed readings: `raisedAtMs` is then the source time it happened. */
  readonly late?: boolean;
}

export type VerdictStatus = 'pass' | 'fail' | 'skipped';

export interface ExpectationVerdict {
  readonly id: string;
  readonly type: Expectation['type'];
  readonly status: VerdictStatus;
  /** What was looked for, e.g. `91320…/LT-1101 HH red`. */
  readonly subject: string;
  /** Window on the clock that applies, ms UTC. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** The first matching alarm in the window, if any. */
  readonly matched: ObservedAlarm | undefined;
  /** Delay from the window's reference (incident start or run start) to `matched`, ms. */
  readonly delayMs: number | undefined;
  readonly colourOk: boolean | undefined;
  readonly count: number;
  /** Why it failed or was skipped, in English and Chinese. */
  readonly reason: string;
}

export interface VerificationReport {
  readonly scenario: string;
  readonly passed: boolean;
  readonly verdicts: readonly ExpectationVerdict[];
}

const QUALITY: ReadonlySet<string> = new Set(QUALITY_CONDITIONS);
const asList = <T>(x: T | readonly T[] | undefined): readonly T[] | undefined =>
  x === undefined ? undefined : Array.isArray(x) ? (x as readonly T[]) : [x as T];

/** Whether the matcher is about data-quality conditions only (wall clock), else process (simulated). */
function usesWallClock(m: AlarmMatcher): boolean {
  const conditions = asList(m.condition);
  return conditions !== undefined && conditions.every((c) => QUALITY.has(c));
}

function matches(m: AlarmMatcher, a: ObservedAlarm, withColour: boolean): boolean {
  if (m.enterprise !== undefined && m.enterprise !== a.enterprise) return false;
  if (m.tag !== undefined && m.tag !== a.tag) return false;
  const conditions = asList(m.condition);
  if (conditions !== undefined && !conditions.includes(a.condition)) return false;
  const colours = asList(m.colour);
  if (withColour && colours !== undefined && !colours.includes(a.colour)) return false;
  if (m.late !== undefined && m.late !== (a.late === true)) return false;
  return true;
}

export function describeMatcher(m: AlarmMatcher): string {
  const parts = [
    `${m.enterprise ?? '*'}/${m.tag ?? '*'}`,
    asList(m.condition)?.join('|') ?? '*',
    asList(m.colour)?.join('|') ?? '',
    m.late === undefined ? '' : m.late ? 'late' : 'live',
  ];
  return parts.filter((p) => p !== '').join(' ');
}

export function verifyExpectations(
  scenario: Scenario,
  timeline: RunTimeline,
  observed: readonly ObservedAlarm[],
): VerificationReport {
  const verdicts = scenario.expectations.map((e) => verifyOne(e, timeline, observed));
  return { scenario: scenario.name, passed: verdicts.every((v) => v.status !== 'fail'), verdicts };
}

function verifyOne(
  e: Expectation,
  timeline: RunTimeline,
  observed: readonly ObservedAlarm[],
): ExpectationVerdict {
  const wallClock = usesWallClock(e.alarm);
  const incident = e.after === undefined ? undefined : timeline.incidents.find((i) => i.id === e.after);
  const runStart = wallClock ? timeline.startedWallMs : timeline.epochMs;
  const runEnd = wallClock ? timeline.endedWallMs : timeline.endMs;
  const reference = incident === undefined ? runStart : wallClock ? incident.startWallMs : incident.startMs;
  const base = { id: e.id, type: e.type, subject: describeMatcher(e.alarm) };

  if (e.modes !== undefined && !e.modes.includes(timeline.mode)) {
    return {
      ...base,
      status: 'skipped',
      windowStartMs: reference,
      windowEndMs: reference,
      matched: undefined,
      delayMs: undefined,
      colourOk: undefined,
      count: 0,
      reason: `not checked in ${timeline.mode} mode / ${timeline.mode} 模式下不检查`,
    };
  }
  if (e.after !== undefined && incident === undefined) {
    return {
      ...base,
      status: 'fail',
      windowStartMs: runStart,
      windowEndMs: runEnd,
      matched: undefined,
      delayMs: undefined,
      colourOk: undefined,
      count: 0,
      reason: `incident ${e.after} never started / 事件未发生`,
    };
  }

  const start = e.type === 'alarm' ? reference + (e.notBeforeSec ?? 0) * 1000 : reference;
  const end =
    e.type === 'alarm'
      ? reference + e.withinSec * 1000
      : e.forSec !== undefined
        ? reference + e.forSec * 1000
        : runEnd;
  const inWindow = observed
    .filter((a) => a.raisedAtMs >= start && a.raisedAtMs <= end && matches(e.alarm, a, false))
    .sort((a, b) => a.raisedAtMs - b.raisedAtMs);
  const coloured = inWindow.filter((a) => matches(e.alarm, a, true));
  const matched = coloured[0] ?? inWindow[0];
  const window = { windowStartMs: start, windowEndMs: end, matched, count: inWindow.length };
  const delayMs = matched === undefined ? undefined : matched.raisedAtMs - reference;
  const colourOk = matched === undefined || e.alarm.colour === undefined ? undefined : coloured.length > 0;

  if (e.type === 'no_alarm') {
    return {
      ...base,
      ...window,
      status: coloured.length === 0 ? 'pass' : 'fail',
      matched: coloured[0],
      delayMs: coloured[0] === undefined ? undefined : coloured[0].raisedAtMs - reference,
      colourOk: undefined,
      count: coloured.length,
      reason:
        coloured.length === 0
          ? ''
          : `${coloured.length} forbidden alarm(s) raised / 出现 ${coloured.length} 条误报警`,
    };
  }
  let reason = '';
  if (matched === undefined)
    reason = `no matching alarm within ${e.withinSec} s / ${e.withinSec} 秒内未出现报警`;
  else if (colourOk === false)
    reason = `colour ${matched.colour}, expected ${asList(e.alarm.colour)?.join('|')} / 颜色不符`;
  else if (e.maxCount !== undefined && inWindow.length > e.maxCount) {
    reason = `${inWindow.length} alarms, at most ${e.maxCount} expected / 报警 ${inWindow.length} 次，超过 ${e.maxCount}`;
  }
  return { ...base, ...window, status: reason === '' ? 'pass' : 'fail', delayMs, colourOk, reason };
}
