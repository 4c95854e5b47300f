import type { AlarmActionCommand, AlarmActionOutcome } from '@hazardwatch/contracts';
import type { WarningActor } from '@hazardwatch/core';
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

type WarningCommand = Exclude<AlarmActionCommand, { type: 'alarm.act' }>;

/** The desk's actor: the username and the side the API derived from the caller's role and region. */
const actorOf = (command: WarningCommand): WarningActor => ({ id: command.actor, party: command.party });

function warningOutcome(host: AlarmEngine, id: string, apply: () => Result): AlarmActionOutcome {
  const before = host.desk.get(id) ?? null;
  return outcome(before, apply(), () => host.desk.get(id) ?? { id, state: 'closed' });
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
    case 'warning.sign':
      return warningOutcome(host, command.warningId, () =>
        host.signWarning(command.warningId, actorOf(command)),
      );
    case 'warning.feedback':
      return warningOutcome(host, command.warningId, () =>
        host.feedbackWarning(command.warningId, actorOf(command), command.text),
      );
    case 'warning.urge':
      return warningOutcome(host, command.warningId, () =>
        host.urgeWarning(command.warningId, actorOf(command), command.text, command.deadlineMs),
      );
    case 'warning.verify':
      return warningOutcome(host, command.warningId, () =>
        host.verifyWarning(command.warningId, actorOf(command), command.text),
      );
    case 'warning.close':
      return warningOutcome(host, command.warningId, () =>
        host.closeWarning(command.warningId, actorOf(command), command.reason),
      );
  }
}
