import { describe, expectTypeOf, it } from 'vitest';
import type {
  AlarmAction,
  AlarmActionCommand,
  AlarmActionOutcome,
  AlarmActionRefusal,
  AlarmCommandRow,
  AlarmCommandType,
} from '@hazardwatch/contracts';

// The API ↔ alarm-engine action protocol crosses a process boundary as JSON
// (alarm_action_requests): a change here is a protocol change, so every member is named.

type Party = 'enterprise' | 'county' | 'city' | 'province' | 'admin';

describe('alarm action protocol', () => {
  it('locks the command types', () => {
    expectTypeOf<AlarmCommandType>().toEqualTypeOf<
      'alarm.act' | 'warning.sign' | 'warning.feedback' | 'warning.urge' | 'warning.verify' | 'warning.close'
    >();
    expectTypeOf<AlarmActionCommand['type']>().toEqualTypeOf<AlarmCommandType>();
  });

  it('locks each command, tagged on type', () => {
    expectTypeOf<Extract<AlarmActionCommand, { type: 'alarm.act' }>>().toEqualTypeOf<{
      type: 'alarm.act';
      alarmId: string;
      actor: string;
      action: AlarmAction;
      reason?: string;
      untilMs?: number;
    }>();
    expectTypeOf<Extract<AlarmActionCommand, { type: 'warning.sign' }>>().toEqualTypeOf<{
      type: 'warning.sign';
      warningId: string;
      actor: string;
      party: Party;
    }>();
    expectTypeOf<Extract<AlarmActionCommand, { type: 'warning.feedback' }>>().toEqualTypeOf<{
      type: 'warning.feedback';
      warningId: string;
      actor: string;
      party: Party;
      text: string;
    }>();
    expectTypeOf<Extract<AlarmActionCommand, { type: 'warning.urge' }>>().toEqualTypeOf<{
      type: 'warning.urge';
      warningId: string;
      actor: string;
      party: Party;
      text: string;
      deadlineMs: number;
    }>();
    expectTypeOf<Extract<AlarmActionCommand, { type: 'warning.verify' }>>().toEqualTypeOf<{
      type: 'warning.verify';
      warningId: string;
      actor: string;
      party: Party;
      text: string;
    }>();
    expectTypeOf<Extract<AlarmActionCommand, { type: 'warning.close' }>>().toEqualTypeOf<{
      type: 'warning.close';
      warningId: string;
      actor: string;
      party: Party;
      reason?: string;
    }>();
  });

  it('locks the outcome and the refusal', () => {
    expectTypeOf<AlarmActionRefusal>().toEqualTypeOf<{ code: string; message: string; status?: number }>();
    expectTypeOf<AlarmActionOutcome>().toEqualTypeOf<
      { ok: true; before: unknown; after: unknown } | { ok: false; error: AlarmActionRefusal }
    >();
  });

  it('locks the stored row', () => {
    expectTypeOf<AlarmCommandRow>().toEqualTypeOf<{
      readonly kind: AlarmCommandType;
      readonly targetId: string;
      readonly actor: string;
      readonly request: Readonly<Record<string, unknown>>;
    }>();
  });
});
