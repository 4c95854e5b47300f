/**
 * Every ISA-18.2 transition of REFERENCE §7, valid and invalid, table-driven.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmState } from '@hazardwatch/contracts';
import {
  DEFAULT_ALARM_POLICY,
  allowedTransitions,
  applyChattering,
  applyColour,
  applyCondition,
  applyOperator,
  applyTick,
  compileAlarmPolicy,
  isAllowedTransition,
  type AlarmErrorCode,
  type AlarmPolicy,
  type AlarmRecord,
  type OperatorRequest,
  type Step,
} from '@hazardwatch/core';
import { T0, alarmIn } from './alarm-fixture.js';

const pairs = (step: Step): string[] => step.events.map((e) => `${e.from}→${e.to}`);

function policy(input: unknown): AlarmPolicy {
  const r = compileAlarmPolicy(input);
  if (!r.ok) throw r.error;
  return r.value;
}

describe('transition table', () => {
  it('is exactly REFERENCE §7 plus the precedence OOSRV > DSUPR > SHLVD', () => {
    const listed = allowedTransitions().map(([f, t]) => `${f}→${t}`);
    for (const t of [
      'NORM→UNACK',
      'UNACK→ACKED',
      'ACKED→NORM',
      'UNACK→RTNUN',
      'RTNUN→NORM',
      'RTNUN→UNACK',
      'ACKED→UNACK',
    ]) {
      expect(listed).toContain(t);
    }
    for (const from of ['NORM', 'UNACK', 'ACKED', 'RTNUN'] as AlarmState[]) {
      for (const to of ['SHLVD', 'DSUPR', 'OOSRV'] as AlarmState[])
        expect(isAllowedTransition(from, to)).toBe(true);
    }
    for (const from of ['SHLVD', 'DSUPR', 'OOSRV'] as AlarmState[]) {
      expect(isAllowedTransition(from, 'NORM')).toBe(true);
      expect(isAllowedTransition(from, 'UNACK')).toBe(true);
      // The one addition: a designed suppression of an acknowledged alarm ends acknowledged.
      expect(isAllowedTransition(from, 'ACKED')).toBe(from === 'DSUPR');
      expect(isAllowedTransition(from, 'RTNUN')).toBe(false);
    }
    for (const bad of [
      'NORM→ACKED',
      'NORM→RTNUN',
      'RTNUN→ACKED',
      'ACKED→RTNUN',
      'UNACK→NORM',
      'OOSRV→SHLVD',
      'DSUPR→SHLVD',
      'OOSRV→DSUPR',
    ]) {
      expect(listed).not.toContain(bad);
    }
  });
});

describe('condition changes (system)', () => {
  const rows: [string, AlarmRecord, boolean, AlarmState, string[]][] = [
    ['A→B condition occurs', alarmIn('NORM'), true, 'UNACK', ['NORM→UNACK']],
    ['clear on NORM is a no-op', alarmIn('NORM'), false, 'NORM', []],
    ['B→D returns to normal unacknowledged', alarmIn('UNACK'), false, 'RTNUN', ['UNACK→RTNUN']],
    ['latched B stays B when the condition clears', alarmIn('UNACK', { latched: true }), false, 'UNACK', []],
    ['raise on B is no change', alarmIn('UNACK'), true, 'UNACK', []],
    ['C→A returns to normal', alarmIn('ACKED'), false, 'NORM', ['ACKED→NORM']],
    [
      'latched C→A once acknowledged and clear',
      alarmIn('ACKED', { latched: true }),
      false,
      'NORM',
      ['ACKED→NORM'],
    ],
    ['raise on C is no change', alarmIn('ACKED'), true, 'ACKED', []],
    ['D→B re-alarm', alarmIn('RTNUN'), true, 'UNACK', ['RTNUN→UNACK']],
    ['clear on D is no change', alarmIn('RTNUN'), false, 'RTNUN', []],
    ['shelved: only tracked', alarmIn('SHLVD', { active: true }), false, 'SHLVD', []],
    ['suppressed: only tracked', alarmIn('DSUPR'), true, 'DSUPR', []],
    ['out of service: only tracked', alarmIn('OOSRV'), true, 'OOSRV', []],
  ];
  it.each(rows)('%s', (_name, start, active, state, transitions) => {
    const step = applyCondition(start, { active, ts: T0 + 5, value: 42, limit: 40 });
    expect(step.alarm.state).toBe(state);
    expect(step.alarm.active).toBe(active);
    expect(step.alarm.value).toBe(42);
    expect(pairs(step)).toEqual(transitions);
    for (const e of step.events) {
      expect(e).toMatchObject({
        alarmId: 'a1',
        pointId: 1,
        sourceKey: 'point:1',
        condition: 'H',
        ts: T0 + 5,
        actor: 'system',
        value: 42,
      });
    }
  });

  it('records the time of a transition to active (chattering release runs from it)', () => {
    expect(
      applyCondition(alarmIn('RTNUN'), { active: true, ts: T0 + 9, value: 1, limit: null }).alarm
        .lastActivationMs,
    ).toBe(T0 + 9);
    expect(
      applyCondition(alarmIn('UNACK'), { active: true, ts: T0 + 9, value: 1, limit: null }).alarm
        .lastActivationMs,
    ).toBe(T0);
  });
});

type Expect = { state: AlarmState; transitions: string[] } | { error: AlarmErrorCode };
const req = (action: OperatorRequest['action'], fields: Partial<OperatorRequest> = {}): OperatorRequest => ({
  action,
  actor: 'u1',
  ts: T0 + 1000,
  reason: 'because',
  ...fields,
});
const shelve = (fields: Partial<OperatorRequest> = {}) =>
  req('shelve', { untilMs: T0 + 3_600_000, ...fields });
const inactive = { active: false };

describe('operator actions', () => {
  const rows: [string, AlarmRecord, OperatorRequest, Expect][] = [
    // acknowledge
    [
      'B→C ack',
      alarmIn('UNACK'),
      req('ack', { reason: null }),
      { state: 'ACKED', transitions: ['UNACK→ACKED'] },
    ],
    ['D→A ack', alarmIn('RTNUN'), req('ack'), { state: 'NORM', transitions: ['RTNUN→NORM'] }],
    [
      'latched B, clear: ack resets',
      alarmIn('UNACK', { latched: true, active: false }),
      req('ack'),
      { state: 'NORM', transitions: ['UNACK→ACKED', 'ACKED→NORM'] },
    ],
    [
      'latched B, active: ack → C',
      alarmIn('UNACK', { latched: true }),
      req('ack'),
      { state: 'ACKED', transitions: ['UNACK→ACKED'] },
    ],
    ...(['NORM', 'ACKED', 'SHLVD', 'DSUPR', 'OOSRV'] as AlarmState[]).map(
      (s): [string, AlarmRecord, OperatorRequest, Expect] => [
        `ack on ${s} refused`,
        alarmIn(s),
        req('ack'),
        { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
      ],
    ),
    // shelve
    ...(['NORM', 'UNACK', 'ACKED', 'RTNUN'] as AlarmState[]).map(
      (s): [string, AlarmRecord, OperatorRequest, Expect] => [
        `${s}→SHLVD shelve`,
        alarmIn(s),
        shelve(),
        { state: 'SHLVD', transitions: [`${s}→SHLVD`] },
      ],
    ),
    ['shelve on SHLVD refused', alarmIn('SHLVD'), shelve(), { error: 'HW_CORE_ALARM_INVALID_TRANSITION' }],
    ['shelve on OOSRV refused', alarmIn('OOSRV'), shelve(), { error: 'HW_CORE_ALARM_INVALID_TRANSITION' }],
    ['shelve on DSUPR refused', alarmIn('DSUPR'), shelve(), { error: 'HW_CORE_ALARM_INVALID_TRANSITION' }],
    [
      'shelve without reason',
      alarmIn('UNACK'),
      shelve({ reason: null }),
      { error: 'HW_CORE_ALARM_REASON_REQUIRED' },
    ],
    [
      'shelve with blank reason',
      alarmIn('UNACK'),
      shelve({ reason: '   ' }),
      { error: 'HW_CORE_ALARM_REASON_REQUIRED' },
    ],
    [
      'shelve without expiry',
      alarmIn('UNACK'),
      shelve({ untilMs: null }),
      { error: 'HW_CORE_ALARM_SHELVE_EXPIRY_REQUIRED' },
    ],
    [
      'shelve expiring now',
      alarmIn('UNACK'),
      shelve({ untilMs: T0 + 1000 }),
      { error: 'HW_CORE_ALARM_SHELVE_EXPIRY_PAST' },
    ],
    [
      'shelve expiring in the past',
      alarmIn('UNACK'),
      shelve({ untilMs: T0 }),
      { error: 'HW_CORE_ALARM_SHELVE_EXPIRY_PAST' },
    ],
    [
      'shelve expiry not a number',
      alarmIn('UNACK'),
      shelve({ untilMs: Number.NaN }),
      { error: 'HW_CORE_ALARM_BAD_TIME' },
    ],
    [
      'shelve longer than 24 h',
      alarmIn('UNACK'),
      shelve({ untilMs: T0 + 1000 + 86_400_001 }),
      { error: 'HW_CORE_ALARM_SHELVE_TOO_LONG' },
    ],
    [
      'shelve exactly 24 h',
      alarmIn('UNACK'),
      shelve({ untilMs: T0 + 1000 + 86_400_000 }),
      { state: 'SHLVD', transitions: ['UNACK→SHLVD'] },
    ],
    // unshelve
    [
      'unshelve, condition active → B',
      alarmIn('SHLVD', { active: true }),
      req('unshelve'),
      { state: 'UNACK', transitions: ['SHLVD→UNACK'] },
    ],
    [
      'unshelve, condition clear → A',
      alarmIn('SHLVD'),
      req('unshelve', { reason: null }),
      { state: 'NORM', transitions: ['SHLVD→NORM'] },
    ],
    [
      'unshelve on UNACK refused',
      alarmIn('UNACK'),
      req('unshelve'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    // out of service
    ...(['NORM', 'UNACK', 'ACKED', 'RTNUN', 'SHLVD', 'DSUPR'] as AlarmState[]).map(
      (s): [string, AlarmRecord, OperatorRequest, Expect] => [
        `${s}→OOSRV`,
        alarmIn(s),
        req('remove_from_service'),
        { state: 'OOSRV', transitions: [`${s}→OOSRV`] },
      ],
    ),
    [
      'remove from service twice refused',
      alarmIn('OOSRV'),
      req('remove_from_service'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    [
      'remove from service needs a reason',
      alarmIn('UNACK'),
      req('remove_from_service', { reason: '' }),
      { error: 'HW_CORE_ALARM_REASON_REQUIRED' },
    ],
    [
      'return to service, active → B',
      alarmIn('OOSRV', { active: true }),
      req('return_to_service'),
      { state: 'UNACK', transitions: ['OOSRV→UNACK'] },
    ],
    [
      'return to service, clear → A',
      alarmIn('OOSRV'),
      req('return_to_service'),
      { state: 'NORM', transitions: ['OOSRV→NORM'] },
    ],
    [
      'return to service on NORM refused',
      alarmIn('NORM'),
      req('return_to_service'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    // suppressed by design
    ...(['NORM', 'UNACK', 'ACKED', 'RTNUN', 'SHLVD'] as AlarmState[]).map(
      (s): [string, AlarmRecord, OperatorRequest, Expect] => [
        `${s}→DSUPR`,
        alarmIn(s),
        req('suppress'),
        { state: 'DSUPR', transitions: [`${s}→DSUPR`] },
      ],
    ),
    [
      'suppress on DSUPR refused',
      alarmIn('DSUPR'),
      req('suppress'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    [
      'suppress on OOSRV refused',
      alarmIn('OOSRV'),
      req('suppress'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    [
      'suppress needs a reason',
      alarmIn('UNACK'),
      req('suppress', { reason: null }),
      { error: 'HW_CORE_ALARM_REASON_REQUIRED' },
    ],
    [
      'unsuppress, active → B',
      alarmIn('DSUPR', { active: true }),
      req('unsuppress'),
      { state: 'UNACK', transitions: ['DSUPR→UNACK'] },
    ],
    [
      'unsuppress, clear → A',
      alarmIn('DSUPR', inactive),
      req('unsuppress'),
      { state: 'NORM', transitions: ['DSUPR→NORM'] },
    ],
    [
      'unsuppress on ACKED refused',
      alarmIn('ACKED'),
      req('unsuppress'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    // comment
    [
      'comment is an event without a state change',
      alarmIn('ACKED'),
      req('comment'),
      { state: 'ACKED', transitions: ['ACKED→ACKED'] },
    ],
    [
      'comment needs text',
      alarmIn('ACKED'),
      req('comment', { reason: null }),
      { error: 'HW_CORE_ALARM_REASON_REQUIRED' },
    ],
    [
      'comment on a normal alarm refused',
      alarmIn('NORM'),
      req('comment'),
      { error: 'HW_CORE_ALARM_INVALID_TRANSITION' },
    ],
    // the request itself
    [
      'actor system is reserved',
      alarmIn('UNACK'),
      req('ack', { actor: 'system' }),
      { error: 'HW_CORE_ALARM_BAD_ACTOR' },
    ],
    [
      'actor must be given',
      alarmIn('UNACK'),
      req('ack', { actor: ' ' }),
      { error: 'HW_CORE_ALARM_BAD_ACTOR' },
    ],
    [
      'time must be finite',
      alarmIn('UNACK'),
      req('ack', { ts: Number.POSITIVE_INFINITY }),
      { error: 'HW_CORE_ALARM_BAD_TIME' },
    ],
  ];

  it.each(rows)('%s', (_name, start, request, expected) => {
    const r = applyOperator(start, request, DEFAULT_ALARM_POLICY);
    if ('error' in expected) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(expected.error);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.alarm.state).toBe(expected.state);
    expect(pairs(r.value)).toEqual(expected.transitions);
    for (const e of r.value.events) expect(e).toMatchObject({ ts: request.ts, actor: 'u1', value: null });
  });

  it('keeps the bookkeeping of the state it enters and drops the one it leaves', () => {
    const shelved = applyOperator(alarmIn('UNACK'), shelve({ reason: 'sensor swap' }), DEFAULT_ALARM_POLICY);
    if (!shelved.ok) throw shelved.error;
    expect(shelved.value.alarm).toMatchObject({
      shelvedUntilMs: T0 + 3_600_000,
      shelveReason: 'sensor swap',
    });
    expect(shelved.value.events[0]?.reason).toBe('sensor swap');
    const oos = applyOperator(
      shelved.value.alarm,
      req('remove_from_service', { reason: 'calibration' }),
      DEFAULT_ALARM_POLICY,
    );
    if (!oos.ok) throw oos.error;
    expect(oos.value.alarm).toMatchObject({
      state: 'OOSRV',
      outOfServiceReason: 'calibration',
      shelvedUntilMs: null,
      shelveReason: null,
    });
    const acked = applyOperator(alarmIn('UNACK'), req('ack'), DEFAULT_ALARM_POLICY);
    if (!acked.ok) throw acked.error;
    expect(acked.value.alarm).toMatchObject({ ackedAt: T0 + 1000, ackedBy: 'u1', stateSinceMs: T0 + 1000 });
  });

  it('the shelve limit is configurable, and null lifts it', () => {
    const week = T0 + 1000 + 7 * 86_400_000;
    expect(applyOperator(alarmIn('UNACK'), shelve({ untilMs: week }), policy({ maxShelveMs: null })).ok).toBe(
      true,
    );
    const r = applyOperator(
      alarmIn('UNACK'),
      shelve({ untilMs: T0 + 1000 + 3_600_001 }),
      policy({ maxShelveMs: 3_600_000 }),
    );
    expect(r.ok ? null : r.error.data).toMatchObject({ durationMs: 3_600_001, maxShelveMs: 3_600_000 });
  });
});

describe('time (tick)', () => {
  const reAlarm = policy({ reAlarmMs: 1000 });
  const chatter = policy({ chattering: { autoSuppress: true, releaseMs: 5000 } });
  const until = T0 + 3_600_000;
  const rows: [string, AlarmRecord, number, AlarmPolicy, AlarmState, string[]][] = [
    [
      'shelve not yet expired',
      alarmIn('SHLVD', { active: true }),
      until - 1,
      DEFAULT_ALARM_POLICY,
      'SHLVD',
      [],
    ],
    [
      'shelve expiry, active → B',
      alarmIn('SHLVD', { active: true }),
      until,
      DEFAULT_ALARM_POLICY,
      'UNACK',
      ['SHLVD→UNACK'],
    ],
    ['shelve expiry, clear → A', alarmIn('SHLVD'), until + 5, DEFAULT_ALARM_POLICY, 'NORM', ['SHLVD→NORM']],
    ['re-alarm time not reached', alarmIn('ACKED'), T0 + 999, reAlarm, 'ACKED', []],
    ['C→B re-alarm time', alarmIn('ACKED'), T0 + 1000, reAlarm, 'UNACK', ['ACKED→UNACK']],
    ['re-alarm off (null)', alarmIn('ACKED'), T0 + 10_000_000, DEFAULT_ALARM_POLICY, 'ACKED', []],
    ['re-alarm does not touch UNACK', alarmIn('UNACK'), T0 + 10_000, reAlarm, 'UNACK', []],
    [
      'chattering suppression held while not quiet',
      alarmIn('DSUPR', { active: true, chattering: true, suppressedBy: 'system', lastActivationMs: T0 }),
      T0 + 4999,
      chatter,
      'DSUPR',
      [],
    ],
    [
      'chattering suppression released after the quiet period, clear → A',
      alarmIn('DSUPR', { active: false, chattering: true, suppressedBy: 'system', lastActivationMs: T0 }),
      T0 + 5000,
      chatter,
      'NORM',
      ['DSUPR→NORM'],
    ],
    [
      'chattering suppression released, still active → B',
      alarmIn('DSUPR', { active: true, chattering: true, suppressedBy: 'system', lastActivationMs: T0 }),
      T0 + 5000,
      chatter,
      'UNACK',
      ['DSUPR→UNACK'],
    ],
    [
      "an operator's suppression is not released by the quiet period",
      alarmIn('DSUPR', { active: false, chattering: true, suppressedBy: 'u1', lastActivationMs: T0 }),
      T0 + 5000,
      chatter,
      'DSUPR',
      [],
    ],
  ];
  it.each(rows)('%s', (_name, start, now, p, state, transitions) => {
    const step = applyTick(start, now, p);
    expect(step.alarm.state).toBe(state);
    expect(pairs(step)).toEqual(transitions);
    for (const e of step.events) expect(e).toMatchObject({ actor: 'system', ts: now });
  });

  it('clears the chattering flag after the quiet period', () => {
    const step = applyTick(
      alarmIn('UNACK', { chattering: true, lastActivationMs: T0 }),
      T0 + 300_000,
      DEFAULT_ALARM_POLICY,
    );
    expect(step.alarm.chattering).toBe(false);
    expect(step.events).toEqual([]);
  });
});

describe('severity (colour)', () => {
  const rows: [string, AlarmRecord, 'blue' | 'yellow' | 'orange' | 'red', AlarmState, string[]][] = [
    [
      'C→B re-alarm at higher severity',
      alarmIn('ACKED', { colour: 'orange' }),
      'red',
      'UNACK',
      ['ACKED→UNACK'],
    ],
    [
      'lower severity while acknowledged: no re-alarm',
      alarmIn('ACKED', { colour: 'red' }),
      'yellow',
      'ACKED',
      [],
    ],
    ['higher severity while unacknowledged: no event', alarmIn('UNACK'), 'red', 'UNACK', []],
    ['higher severity while shelved: no event', alarmIn('SHLVD'), 'red', 'SHLVD', []],
  ];
  it.each(rows)('%s', (_name, start, colour, state, transitions) => {
    const step = applyColour(start, colour, T0 + 7, '2 detectors in level-1');
    expect(step.alarm.colour).toBe(colour);
    expect(step.alarm.state).toBe(state);
    expect(pairs(step)).toEqual(transitions);
  });

  it('says why it re-alarmed', () => {
    const step = applyColour(alarmIn('ACKED', { colour: 'orange' }), 'red', T0 + 7, '2 detectors in level-1');
    expect(step.events[0]?.reason).toBe('re-alarm: severity orange → red (2 detectors in level-1)');
  });
});

describe('chattering', () => {
  it('flags the alarm, and with autoSuppress puts it in DSUPR with the rule as reason', () => {
    const flagged = applyChattering(alarmIn('UNACK'), T0 + 50, DEFAULT_ALARM_POLICY);
    expect(flagged.alarm).toMatchObject({ state: 'UNACK', chattering: true });
    expect(flagged.events).toEqual([]);
    const suppressed = applyChattering(
      alarmIn('UNACK'),
      T0 + 50,
      policy({ chattering: { autoSuppress: true } }),
    );
    expect(suppressed.alarm).toMatchObject({
      state: 'DSUPR',
      chattering: true,
      suppressReason: 'chattering: ≥3 in 60s',
      suppressedBy: 'system',
    });
    expect(suppressed.events.map((e) => [e.from, e.to, e.reason, e.actor])).toEqual([
      ['UNACK', 'DSUPR', 'chattering: ≥3 in 60s', 'system'],
    ]);
  });

  it('does not override an operator shelve or out-of-service', () => {
    const p = policy({ chattering: { autoSuppress: true } });
    expect(applyChattering(alarmIn('SHLVD'), T0, p).alarm.state).toBe('SHLVD');
    expect(applyChattering(alarmIn('OOSRV'), T0, p).alarm.state).toBe('OOSRV');
  });
});

describe('events', () => {
  it('events are wire AlarmEvents; a gateway event has no point id', () => {
    const step = applyCondition(alarmIn('NORM'), { active: true, ts: T0, value: 3, limit: 2 });
    expect(step.events[0]).toEqual({
      alarmId: 'a1',
      sourceKey: 'point:1',
      pointId: 1,
      condition: 'H',
      from: 'NORM',
      to: 'UNACK',
      ts: T0,
      actor: 'system',
      reason: 'condition active',
      value: 3,
    });
    const gw = applyCondition(
      alarmIn('NORM', {
        source: { kind: 'gateway', enterprise: 'E1', gateway: 'GW1' },
        sourceKey: 'gateway:E1/GW1',
        condition: 'GATEWAY_OFFLINE',
      }),
      { active: true, ts: T0, value: null, limit: null },
    );
    expect(gw.events[0]).toMatchObject({ pointId: null, sourceKey: 'gateway:E1/GW1' });
  });

  it('records and events are frozen', () => {
    const step = applyCondition(alarmIn('NORM'), { active: true, ts: T0, value: 3, limit: 2 });
    expect(Object.isFrozen(step.alarm)).toBe(true);
    expect(Object.isFrozen(step.events[0])).toBe(true);
  });
});

describe('alarm policy', () => {
  it('rejects unknown keys by name and bad values', () => {
    const r = compileAlarmPolicy({ reAlarm: 5 });
    expect(r.ok ? [] : (r.error.data['errors'] as string[])).toContain('unknown key reAlarm');
    expect(compileAlarmPolicy({ chattering: { count: 1 } }).ok).toBe(false);
    expect(compileAlarmPolicy({ reAlarmMs: 0 }).ok).toBe(false);
    expect(compileAlarmPolicy({ latchConditions: ['HH', 'HH'] }).ok).toBe(false);
  });

  it('defaults are documented values and frozen', () => {
    expect(DEFAULT_ALARM_POLICY).toEqual({
      reAlarmMs: null,
      latchConditions: [],
      maxShelveMs: 86_400_000,
      chattering: { count: 3, windowMs: 60_000, autoSuppress: false, releaseMs: 300_000 },
    });
    expect(Object.isFrozen(DEFAULT_ALARM_POLICY.chattering)).toBe(true);
  });
});
