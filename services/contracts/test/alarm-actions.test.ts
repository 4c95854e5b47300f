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
      { type: 'warning.sign', warningId: 'w1', actor: 'bob' },
      { kind: 'warning.sign', targetId: 'w1', actor: 'bob', request: {} },
    ],
    [
      { type: 'warning.feedback', warningId: 'w1', actor: 'bob', text: '已处置' },
      { kind: 'warning.feedback', targetId: 'w1', actor: 'bob', request: { text: '已处置' } },
    ],
    [
      { type: 'warning.close', warningId: 'w1', actor: 'bob', reason: '误报' },
      { kind: 'warning.close', targetId: 'w1', actor: 'bob', request: { reason: '误报' } },
    ],
    [
      { type: 'warning.close', warningId: 'w1', actor: 'bob' },
      { kind: 'warning.close', targetId: 'w1', actor: 'bob', request: {} },
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
      request: { type: 'alarm.act', warningId: 'w2', actor: 'mallory' },
    });
    expect(back).toMatchObject({ type: 'warning.sign', warningId: 'w1', actor: 'bob' });
  });

  const invalid: Array<[string, { kind: string; request: Record<string, unknown> }]> = [
    ['an unknown kind', { kind: 'alarm.delete', request: {} }],
    ['an alarm action without action', { kind: 'alarm.act', request: {} }],
    ['an unknown alarm action', { kind: 'alarm.act', request: { action: 'delete' } }],
    ['a non-numeric shelve expiry', { kind: 'alarm.act', request: { action: 'shelve', untilMs: 'soon' } }],
    ['feedback without text', { kind: 'warning.feedback', request: {} }],
    ['a non-text close reason', { kind: 'warning.close', request: { reason: 5 } }],
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
