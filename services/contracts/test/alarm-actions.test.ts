import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import {
  AlarmActionCommandSchema,
  AlarmActionOutcomeSchema,
  commandOfRow,
  commandRow,
  type AlarmActionCommand,
  type AlarmCommandRow,
} from '@hazardwatch/contracts';

const readBack = (row: AlarmCommandRow): unknown => {
  // The row travels as JSON through alarm_action_requests.request.
  const request = JSON.parse(JSON.stringify(row.request)) as Record<string, unknown>;
  return commandOfRow({ ...row, request });
};

describe('alarm action commands as stored rows', () => {
  const cases: Array<[AlarmActionCommand, AlarmCommandRow]> = [
    [
      { type: 'alarm.act', alarmId: 'a1', actor: 'alice', action: 'ack' },
      { kind: 'alarm.act', targetId: 'a1', actor: 'alice', request: { action: 'ack' } },
    ],
    [
      {
        type: 'alarm.act',
        alarmId: 'a1',
        actor: 'alice',
        action: 'shelve',
        reason: 'maintenance',
        untilMs: 1_700_000_000_000,
      },
      {
        kind: 'alarm.act',
        targetId: 'a1',
        actor: 'alice',
        request: { action: 'shelve', reason: 'maintenance', untilMs: 1_700_000_000_000 },
      },
    ],
    [
      { type: 'warning.sign', warningId: 'w1', actor: 'bob', party: 'enterprise' },
      { kind: 'warning.sign', targetId: 'w1', actor: 'bob', request: { party: 'enterprise' } },
    ],
    [
      { type: 'warning.feedback', warningId: 'w1', actor: 'bob', party: 'enterprise', text: '已处置' },
      {
        kind: 'warning.feedback',
        targetId: 'w1',
        actor: 'bob',
        request: { party: 'enterprise', text: '已处置' },
      },
    ],
    [
      {
        type: 'warning.urge',
        warningId: 'w1',
        actor: 'reg',
        party: 'county',
        text: '请于今日17时前反馈',
        deadlineMs: 1_700_000_000_000,
      },
      {
        kind: 'warning.urge',
        targetId: 'w1',
        actor: 'reg',
        request: { party: 'county', text: '请于今日17时前反馈', deadlineMs: 1_700_000_000_000 },
      },
    ],
    [
      { type: 'warning.verify', warningId: 'w1', actor: 'reg', party: 'city', text: '现场核查属实' },
      {
        kind: 'warning.verify',
        targetId: 'w1',
        actor: 'reg',
        request: { party: 'city', text: '现场核查属实' },
      },
    ],
    [
      { type: 'warning.close', warningId: 'w1', actor: 'bob', party: 'enterprise', reason: '误报' },
      {
        kind: 'warning.close',
        targetId: 'w1',
        actor: 'bob',
        request: { party: 'enterprise', reason: '误报' },
      },
    ],
    [
      { type: 'warning.close', warningId: 'w1', actor: 'bob', party: 'admin' },
      { kind: 'warning.close', targetId: 'w1', actor: 'bob', request: { party: 'admin' } },
    ],
  ];

  it.each(cases)('stores %o as its row and reads it back', (command, row) => {
    expect(commandRow(command)).toEqual(row);
    const back = readBack(commandRow(command));
    expect(Value.Check(AlarmActionCommandSchema, back)).toBe(true);
    expect(back).toEqual(command);
  });

  it('takes type, target and actor from the columns, never from the request', () => {
    const back = commandOfRow({
      kind: 'warning.sign',
      targetId: 'w1',
      actor: 'bob',
      request: { type: 'alarm.act', warningId: 'w2', actor: 'mallory', party: 'enterprise' },
    });
    expect(back).toMatchObject({ type: 'warning.sign', warningId: 'w1', actor: 'bob' });
  });

  const invalid: Array<[string, { kind: string; request: Record<string, unknown> }]> = [
    ['an unknown kind', { kind: 'alarm.delete', request: {} }],
    ['an alarm action without action', { kind: 'alarm.act', request: {} }],
    ['an unknown alarm action', { kind: 'alarm.act', request: { action: 'delete' } }],
    ['a non-numeric shelve expiry', { kind: 'alarm.act', request: { action: 'shelve', untilMs: 'soon' } }],
    ['feedback without text', { kind: 'warning.feedback', request: { party: 'enterprise' } }],
    ['a non-text close reason', { kind: 'warning.close', request: { party: 'enterprise', reason: 5 } }],
    ['a 预警 action without party', { kind: 'warning.sign', request: {} }],
    ['an unknown party', { kind: 'warning.sign', request: { party: 'town' } }],
    ['an urge without deadline', { kind: 'warning.urge', request: { party: 'county', text: '督办' } }],
    ['a verification without text', { kind: 'warning.verify', request: { party: 'county' } }],
  ];
  it.each(invalid)('refuses %s', (_name, row) => {
    const back = commandOfRow({ ...row, targetId: 'x1', actor: 'bob' });
    expect(Value.Check(AlarmActionCommandSchema, back)).toBe(false);
  });
});

describe('alarm action outcomes', () => {
  it.each([
    { ok: true, before: null, after: { id: 'a1', state: 'ACKED' } },
    { ok: false, error: { code: 'HW_CORE_ALARM_INVALID_TRANSITION', message: 'no' } },
    { ok: false, error: { code: 'HW_INGEST_ACTION_INVALID', message: 'no', status: 400 } },
  ])('accepts %o', (outcome) => {
    expect(Value.Check(AlarmActionOutcomeSchema, outcome)).toBe(true);
  });

  it.each([{ expired: true }, { ok: false }, { ok: false, error: { code: 'X' } }, null])(
    'refuses %o',
    (outcome) => {
      expect(Value.Check(AlarmActionOutcomeSchema, outcome)).toBe(false);
    },
  );
});
