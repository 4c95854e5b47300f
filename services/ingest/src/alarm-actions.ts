import type { AlarmActionCommand, AlarmActionOutcome } from '@hazardwatch/contracts';
import type { AlarmEngine } from './alarm-engine.js';

type Result = { readonly ok: boolean; readonly error?: unknown };

function outcome(before: unknown, result: Result, after: () => unknown): AlarmActionOutcome {
  if (result.ok) return { ok: true, before, after: after() };
  const e = result.error as { code: string; message: string; status?: number };
  return {
    ok: false,
    error: { code: e.code, message: e.message, ...(e.status !== undefined ? { status: e.status } : {}) },
  };
}

/**
 * Applies an operator action through the alarm engine of this process — the one path both the
 * in-process API (`hazardwatch serve`) and the forwarded requests of a separate API take, so the
 * two answer alike. The engine stamps the action with its own clock and decides whether the
 * alarm's or 预警's state allows it.
 */
export function applyAlarmAction(host: AlarmEngine, command: AlarmActionCommand): AlarmActionOutcome {
  switch (command.type) {
    case 'alarm.act': {
      const id = command.alarmId;
      const before = host.book.get(id) ?? null;
      const result = host.act(
        { alarmId: id },
        {
          action: command.action,
          actor: command.actor,
          ...(command.reason !== undefined ? { reason: command.reason } : {}),
          ...(command.untilMs !== undefined ? { untilMs: command.untilMs } : {}),
        },
      );
      return outcome(
        before,
        result,
        () =>
          (result.ok ? result.value.alarms.find((a) => a.id === id) : undefined) ?? host.book.get(id) ?? null,
      );
    }
    case 'warning.sign': {
      const before = host.desk.get(command.warningId) ?? null;
      return outcome(
        before,
        host.signWarning(command.warningId, command.actor),
        () => host.desk.get(command.warningId) ?? null,
      );
    }
    case 'warning.feedback': {
      const before = host.desk.get(command.warningId) ?? null;
      return outcome(
        before,
        host.feedbackWarning(command.warningId, command.actor, command.text),
        () => host.desk.get(command.warningId) ?? null,
      );
    }
    case 'warning.close': {
      const id = command.warningId;
      const before = host.desk.get(id) ?? null;
      return outcome(
        before,
        host.closeWarning(id, command.actor, command.reason),
        () => host.desk.get(id) ?? { id, state: 'closed' },
      );
    }
  }
}
