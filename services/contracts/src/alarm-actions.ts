import { Type, type Static } from '@sinclair/typebox';
import { ALARM_ACTIONS } from './alarms.js';
import { WARNING_PARTIES } from './rest/warnings.js';

/**
 * The API ↔ alarm-engine action protocol. The API checks scope and audits; the engine (the
 * ingest's alarm engine) decides whether the alarm's or 预警's state allows the action and stamps
 * it with its own clock. In one process (`hazardwatch serve`) a command is handed over directly;
 * between processes (`hazardwatch api` beside ingest workers) it travels as JSON through
 * `alarm_action_requests` (kind, target_id, actor, request) and the outcome comes back through
 * its `outcome` column — hence schemas, checked where the JSON is read.
 */

/** Command types, as stored in `alarm_action_requests.kind` (its CHECK lists the same six, migration 16). */
export const ALARM_COMMAND_TYPES = [
  'alarm.act',
  'warning.sign',
  'warning.feedback',
  'warning.urge',
  'warning.verify',
  'warning.close',
] as const;
export type AlarmCommandType = (typeof ALARM_COMMAND_TYPES)[number];

/** Username of the caller (ISA-18.2 event actor). */
const actor = Type.String();
/**
 * The caller's side in the 预警 loop, derived by the API from the principal (docs/warnings.md):
 * the desk decides with it who may sign, verify and close.
 */
const party = Type.Union(WARNING_PARTIES.map((p) => Type.Literal(p)));

export const AlarmActionCommandSchema = Type.Union([
  /** An ISA-18.2 operator action on one alarm. */
  Type.Object({
    type: Type.Literal('alarm.act'),
    alarmId: Type.String(),
    actor,
    action: Type.Union(ALARM_ACTIONS.map((a) => Type.Literal(a))),
    reason: Type.Optional(Type.String()),
    /** Shelve expiry, ms UTC. */
    untilMs: Type.Optional(Type.Number()),
  }),
  /** 签收 */
  Type.Object({ type: Type.Literal('warning.sign'), warningId: Type.String(), actor, party }),
  /** 处置反馈 */
  Type.Object({
    type: Type.Literal('warning.feedback'),
    warningId: Type.String(),
    actor,
    party,
    text: Type.String(),
  }),
  /** 督办: a regulator's note and deadline (ms UTC, in the future). */
  Type.Object({
    type: Type.Literal('warning.urge'),
    warningId: Type.String(),
    actor,
    party,
    text: Type.String(),
    deadlineMs: Type.Number(),
  }),
  /** 核查: a regulator's verification of the handling. */
  Type.Object({
    type: Type.Literal('warning.verify'),
    warningId: Type.String(),
    actor,
    party,
    text: Type.String(),
  }),
  /** 消警; a reason is needed while the cause is still active (then recorded as forced). */
  Type.Object({
    type: Type.Literal('warning.close'),
    warningId: Type.String(),
    actor,
    party,
    reason: Type.Optional(Type.String()),
  }),
]);
/** One action for the alarm engine: an alarm verb, or a step of the 预警 loop. */
export type AlarmActionCommand = Static<typeof AlarmActionCommandSchema>;

/** A refusal from the alarm engine: a coded error (e.g. HW_CORE_ALARM_INVALID_TRANSITION). */
export const AlarmActionRefusalSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  /** HTTP status; 409 when absent. */
  status: Type.Optional(Type.Integer()),
});
export type AlarmActionRefusal = Static<typeof AlarmActionRefusalSchema>;

/**
 * What applying a command gave. `before`/`after`: the alarm or 预警 record around the action, as
 * written to the audit log (plain JSON).
 */
export const AlarmActionOutcomeSchema = Type.Union([
  Type.Object({ ok: Type.Literal(true), before: Type.Unknown(), after: Type.Unknown() }),
  Type.Object({ ok: Type.Literal(false), error: AlarmActionRefusalSchema }),
]);
export type AlarmActionOutcome = Static<typeof AlarmActionOutcomeSchema>;

/** A command as one row of `alarm_action_requests` holds it. */
export interface AlarmCommandRow {
  readonly kind: AlarmCommandType;
  /** Alarm id or 预警 id. */
  readonly targetId: string;
  readonly actor: string;
  /** What the command carries besides type, target and actor (action, reason, untilMs, text, party, deadlineMs). */
  readonly request: Readonly<Record<string, unknown>>;
}

/** The row a command is stored as; `commandOfRow` reads it back. */
export function commandRow(command: AlarmActionCommand): AlarmCommandRow {
  switch (command.type) {
    case 'alarm.act': {
      const { type, alarmId, actor, ...request } = command;
      return { kind: type, targetId: alarmId, actor, request };
    }
    case 'warning.sign':
    case 'warning.feedback':
    case 'warning.urge':
    case 'warning.verify':
    case 'warning.close': {
      const { type, warningId, actor, ...request } = command;
      return { kind: type, targetId: warningId, actor, request };
    }
  }
}

/**
 * The command a stored row describes, not yet checked: the row is JSON written by another
 * process, so the caller checks the result against `AlarmActionCommandSchema`. Type, target and
 * actor come from their columns, never from `request`.
 */
export function commandOfRow(row: {
  readonly kind: string;
  readonly targetId: string;
  readonly actor: string;
  readonly request: Readonly<Record<string, unknown>>;
}): unknown {
  const target = row.kind === 'alarm.act' ? { alarmId: row.targetId } : { warningId: row.targetId };
  return { ...row.request, type: row.kind, ...target, actor: row.actor };
}
