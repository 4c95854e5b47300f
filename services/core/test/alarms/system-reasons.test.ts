/**
 * Every reason the alarm engine writes on its own events is one of the codes of
 * @hazardwatch/contracts system-reason.ts (issue #21: the journal and its exports show it in the
 * reader's language). The engine is driven through each transition it makes; a new reason text, or
 * a code no transition produces any more, fails here. A second check reads the engine's source for
 * reason literals, so a new literal on a path this test does not drive fails too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SEVERITY_CAUSES,
  SYSTEM_REASON_CODES,
  eventSystemReason,
  parseSystemReason,
  type SystemReasonCode,
} from '@hazardwatch/contracts';
import {
  DEFAULT_ALARM_POLICY,
  SYSTEM_ACTOR,
  applyChattering,
  applyColour,
  applyCondition,
  applyDesignRelease,
  applyDesignSuppression,
  applyLateNote,
  applyLiveTakeover,
  applyOperator,
  applyTick,
  compileAlarmPolicy,
  type AlarmLifecycleEvent,
  type AlarmPolicy,
  type Step,
} from '@hazardwatch/core';
import { T0, alarmIn } from './alarm-fixture.js';

function policy(input: unknown): AlarmPolicy {
  const r = compileAlarmPolicy(input);
  if (!r.ok) throw r.error;
  return r.value;
}

const cond = (active: boolean, ts = T0 + 1000) => ({ active, ts, value: 1, limit: 2 });
const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(String(r.error));
  return r.value;
};

/** Every transition the engine makes on its own (and the latched reset on an acknowledgement). */
function engineSteps(): Step[] {
  const chatter = policy({ chattering: { autoSuppress: true } });
  const reAlarm = policy({ reAlarmMs: 60_000 });
  const suppressed = applyDesignSuppression(alarmIn('UNACK'), 'HH', T0 + 1000);
  const suppressedLow = applyDesignSuppression(alarmIn('ACKED', { condition: 'L' }), 'LL', T0 + 1000);
  const chattering = applyChattering(alarmIn('UNACK'), T0 + 1000, chatter);
  return [
    applyCondition(alarmIn('NORM'), cond(true)),
    applyCondition(alarmIn('UNACK'), cond(false)),
    applyCondition(alarmIn('ACKED'), cond(false)),
    applyCondition(alarmIn('RTNUN'), cond(true)),
    // A platform alarm names why its condition holds (a stale TimescaleDB job, issue #20).
    applyCondition(alarmIn('NORM'), { ...cond(true), cause: 'NOT_COMPRESSED' }),
    applyCondition(alarmIn('RTNUN'), { ...cond(true), cause: 'NOT_DROPPED' }),
    applyLateNote(alarmIn('UNACK'), cond(true)),
    applyLiveTakeover(alarmIn('UNACK', { late: true }), cond(true)),
    applyColour(alarmIn('ACKED'), 'red', T0 + 1000, 'site model changed'),
    chattering,
    applyTick(alarmIn('SHLVD'), T0 + 3_600_000, DEFAULT_ALARM_POLICY),
    applyTick(alarmIn('ACKED', { stateSinceMs: T0 }), T0 + 60_000, reAlarm),
    applyTick(chattering.alarm, T0 + 1000 + chatter.chattering.releaseMs, chatter),
    suppressed!,
    suppressedLow!,
    applyDesignRelease(suppressed!.alarm, T0 + 2000)!,
    applyDesignRelease(suppressedLow!.alarm, T0 + 2000)!,
    must(
      applyOperator(
        alarmIn('UNACK', { latched: true, active: false }),
        { action: 'ack', actor: 'u1', ts: T0 + 1000, reason: 'seen' },
        DEFAULT_ALARM_POLICY,
      ),
    ),
  ];
}

const engineEvents = (): AlarmLifecycleEvent[] => engineSteps().flatMap((s) => s.events);

describe('the engine writes only reasons of the closed set', () => {
  it('reads every reason of every event the engine makes by itself', () => {
    const system = engineEvents().filter((e) => e.actor === SYSTEM_ACTOR);
    expect(system.length).toBeGreaterThanOrEqual(15);
    for (const e of system) expect([e.reason, eventSystemReason(e)]).not.toEqual([e.reason, null]);
  });

  it('produces every code of the table (none is dead), with the parameters the engine used', () => {
    const codes = new Set<SystemReasonCode>();
    for (const e of engineEvents()) {
      const r = eventSystemReason(e);
      if (r !== null) codes.add(r.code);
    }
    expect([...codes].sort()).toEqual([...SYSTEM_REASON_CODES].sort());
    const reasons = engineEvents().map((e) => e.reason);
    expect(reasons).toContain('re-alarm: still active 60000 ms after acknowledgement');
    expect(parseSystemReason('re-alarm: still active 60000 ms after acknowledgement')).toEqual({
      code: 'REALARM_AFTER_ACK',
      ms: 60_000,
    });
    expect(reasons).toContain('condition active: chunks not compressed on time');
    expect(reasons).toContain('re-alarm: condition active again: expired data not dropped');
    expect(reasons).toContain('suppressed by LL');
    expect(reasons).toContain('HH no longer in alarm');
  });

  it('keeps the operator’s own text on the acknowledgement and reads only the latched reset', () => {
    const ack = engineSteps().at(-1)!.events;
    expect(ack.map((e) => [e.actor, e.reason, eventSystemReason(e)?.code ?? null])).toEqual([
      ['u1', 'seen', null],
      ['u1', 'latched alarm reset by acknowledgement', 'LATCHED_RESET'],
    ]);
  });

  it('knows every severity cause the ingest service passes to recolour', () => {
    const engine = readFileSync(new URL('../../../ingest/src/alarm-engine.ts', import.meta.url), 'utf8');
    const causes = [...engine.matchAll(/\.recolour\([^)]*?'([^']+)'\)/g)].map((m) => m[1]);
    expect(causes.length).toBeGreaterThan(0);
    for (const c of causes) expect(Object.keys(SEVERITY_CAUSES)).toContain(c);
  });

  it('finds no reason literal in the engine’s source that the table does not read', () => {
    const files = ['alarm-lifecycle.ts', 'designed-suppression.ts'].map((f) =>
      readFileSync(new URL(`../../src/alarms/${f}`, import.meta.url), 'utf8'),
    );
    // The literal after the actor in s.go/s.comment/s.resume, with sample values for `${…}`.
    const literals = files.flatMap((text) =>
      [...text.matchAll(/SYSTEM_ACTOR,\s*(['`])((?:(?!\1).)*)\1/g)].map((m) => m[2]!),
    );
    const samples: Record<string, string> = {
      reAlarmMs: '60000',
      'policy.chattering.releaseMs': '300000',
      'design.by': 'HH',
      'alarm.colour': 'yellow',
      colour: 'red',
      reason: 'site model changed',
    };
    const filled = literals.map((l) =>
      l.replace(/\$\{([^}]+)\}/g, (_, name: string) => samples[name] ?? name),
    );
    expect(filled.length).toBeGreaterThanOrEqual(11);
    for (const text of filled) expect([text, parseSystemReason(text)]).not.toEqual([text, null]);
    const lifecycle = files[0]!;
    expect(lifecycle).toContain("'latched alarm reset by acknowledgement'");
  });
});
