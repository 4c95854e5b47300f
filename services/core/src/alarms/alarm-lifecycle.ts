/**
 * ISA-18.2 alarm state machine (REFERENCE §7, §8 item 15; IEC 62682 = GB/T 41261-2022), pure:
 * every function takes a record and returns the next record plus the events of the transitions
 * it made. Time is passed in (ms UTC); nothing here reads a clock.
 *
 * Condition changes and ticks are system inputs and cannot be refused. Operator requests are
 * validated and refused with a coded error value (never thrown).
 */
import {
  colourRank,
  platformCauseSuffix,
  type AlarmAction,
  type AlarmCondition,
  type AlarmState,
  type PlatformCause,
  type WarningColour,
} from '@hazardwatch/contracts';
import { alarmErrors, fail, ok, type AlarmResult } from './alarm-errors.js';
import type { AlarmPolicy } from './alarm-policy.js';
import { isAllowedTransition, type AlarmLifecycleEvent, type AlarmRecord } from './alarm-record.js';
import { sourceKey, type AlarmSource } from './alarm-types.js';

export const SYSTEM_ACTOR = 'system';

export interface Step {
  readonly alarm: AlarmRecord;
  readonly events: readonly AlarmLifecycleEvent[];
}

export interface OperatorRequest {
  readonly action: AlarmAction;
  /** User id; `system` is reserved. */
  readonly actor: string;
  /** ms UTC of the request. */
  readonly ts: number;
  readonly reason?: string | null;
  /** Shelve expiry, ms UTC (REFERENCE §8 item 16: shelving needs a reason and an expiry). */
  readonly untilMs?: number | null;
}

/** Actions that must say why (REFERENCE §8 item 16: suppression is audited). */
const REASON_REQUIRED: ReadonlySet<AlarmAction> = new Set([
  'shelve',
  'remove_from_service',
  'suppress',
  'comment',
]);

export interface NewAlarm {
  readonly id: string;
  readonly source: AlarmSource;
  readonly condition: AlarmCondition;
  readonly colour: WarningColour;
  readonly latched: boolean;
  readonly ts: number;
  /** Raised from replayed readings (alarm-record.ts `late`). */
  readonly late?: boolean;
}

/** A fresh record in NORM with the condition not (yet) active. */
export function newAlarm(init: NewAlarm): AlarmRecord {
  return Object.freeze({
    id: init.id,
    source: init.source,
    sourceKey: sourceKey(init.source),
    condition: init.condition,
    state: 'NORM',
    active: false,
    latched: init.latched,
    colour: init.colour,
    raisedAt: init.ts,
    stateSinceMs: init.ts,
    lastActivationMs: null,
    ackedAt: null,
    ackedBy: null,
    value: null,
    limit: null,
    shelvedUntilMs: null,
    shelveReason: null,
    suppressReason: null,
    suppressedBy: null,
    outOfServiceReason: null,
    chattering: false,
    ...(init.late === true ? { late: true } : {}),
  });
}

/** Accumulates one step's record changes and events (also used by designed-suppression.ts). */
export class Stepper {
  readonly events: AlarmLifecycleEvent[] = [];
  /** @param late events are decided from replayed readings (AlarmEvent `late`). */
  constructor(
    public alarm: AlarmRecord,
    private readonly late = false,
  ) {}

  patch(fields: Partial<AlarmRecord>): void {
    this.alarm = { ...this.alarm, ...fields };
  }

  /** Make one listed transition; anything else is a bug in this module, so it throws. */
  go(
    to: AlarmState,
    ts: number,
    actor: string,
    reason: string | null,
    value: number | null,
    fields: Partial<AlarmRecord> = {},
  ): void {
    const from = this.alarm.state;
    if (!isAllowedTransition(from, to))
      throw new Error(`alarm lifecycle bug: ${from} → ${to} is not an ISA-18.2 transition`);
    this.#emit(from, to, ts, actor, reason, value);
    // Entering a state drops the bookkeeping of the shelve/suppression/out-of-service it leaves.
    const { designSuppression: _left, ...alarm } = this.alarm;
    this.alarm = {
      ...alarm,
      shelvedUntilMs: null,
      shelveReason: null,
      suppressReason: null,
      suppressedBy: null,
      outOfServiceReason: null,
      ...fields,
      state: to,
      stateSinceMs: ts,
    };
  }

  /** An annotation: the only event whose `from` equals its `to`. */
  comment(ts: number, actor: string, reason: string, value: number | null = null): void {
    this.#emit(this.alarm.state, this.alarm.state, ts, actor, reason, value);
  }

  /** End a shelve/suppression/out-of-service: back to UNACK or NORM by the current condition (REFERENCE §7). */
  resume(ts: number, actor: string, reason: string | null): void {
    this.go(this.alarm.active ? 'UNACK' : 'NORM', ts, actor, reason, null);
  }

  done(): Step {
    return { alarm: Object.freeze(this.alarm), events: Object.freeze(this.events) };
  }

  #emit(
    from: AlarmState,
    to: AlarmState,
    ts: number,
    actor: string,
    reason: string | null,
    value: number | null,
  ): void {
    const a = this.alarm;
    const event: AlarmLifecycleEvent = {
      alarmId: a.id,
      pointId: a.source.kind === 'point' ? a.source.pointId : null,
      sourceKey: a.sourceKey,
      condition: a.condition,
      from,
      to,
      ts,
      actor,
      reason,
      value,
    };
    this.events.push(Object.freeze(this.late ? { ...event, late: true } : event));
  }
}

export interface ConditionInput {
  readonly active: boolean;
  readonly ts: number;
  readonly value: number | null;
  readonly limit: number | null;
  /** Decided from replayed readings (ConditionChange `late`): the events are marked late. */
  readonly late?: true;
  /** Why a platform alarm's condition holds (ConditionChange `cause`): named on a raise. */
  readonly cause?: PlatformCause;
}

/**
 * The evaluator says the condition started or ended. A→B occurs; B→D returns unacknowledged
 * (a latched alarm stays B instead); C→A returns to normal; D→B re-alarms. While shelved,
 * suppressed or out of service only `active` is tracked, so the end of it lands in the right state.
 */
export function applyCondition(alarm: AlarmRecord, input: ConditionInput): Step {
  const s = new Stepper(alarm, input.late === true);
  const activation = input.active && !alarm.active;
  s.patch({
    active: input.active,
    value: input.value,
    limit: input.limit,
    lastActivationMs: activation ? input.ts : alarm.lastActivationMs,
  });
  const { ts, value } = input;
  switch (alarm.state) {
    case 'NORM':
      if (input.active)
        s.go('UNACK', ts, SYSTEM_ACTOR, 'condition active' + platformCauseSuffix(input.cause), value);
      break;
    case 'UNACK':
      // GB/T 41261-2022 报警锁定: a latched alarm keeps demanding acknowledgement.
      if (!input.active && !alarm.latched)
        s.go('RTNUN', ts, SYSTEM_ACTOR, 'returned to normal unacknowledged', value);
      break;
    case 'ACKED':
      if (!input.active) s.go('NORM', ts, SYSTEM_ACTOR, 'returned to normal', value);
      break;
    case 'RTNUN':
      if (input.active)
        s.go(
          'UNACK',
          ts,
          SYSTEM_ACTOR,
          're-alarm: condition active again' + platformCauseSuffix(input.cause),
          value,
        );
      break;
    case 'SHLVD':
    case 'DSUPR':
    case 'OOSRV':
      break;
  }
  return s.done();
}

/**
 * Replayed readings show the condition active at source time `input.ts` while the live lane holds
 * this alarm: the occurrence is noted on it (a system comment marked late, dated with the source
 * time), and nothing else changes — the live lane owns the alarm's state, and one (source,
 * condition) never has two open alarms (alarm-book.ts).
 */
export function applyLateNote(alarm: AlarmRecord, input: ConditionInput): Step {
  const s = new Stepper(alarm, true);
  s.comment(input.ts, SYSTEM_ACTOR, 'late: condition also active in replayed readings', input.value);
  return s.done();
}

/**
 * Live readings decide an alarm raised from replayed ones: the live lane owns it from now on.
 * A live raise on a late UNACK alarm is noted (the alarm is current now; the console stops
 * showing it as late); every other change goes through applyCondition as usual (RTNUN → UNACK
 * re-alarms, a clear returns it to normal).
 */
export function applyLiveTakeover(alarm: AlarmRecord, input: ConditionInput): Step {
  const live = { ...alarm, late: false };
  if (input.active && alarm.active && alarm.state === 'UNACK') {
    const s = new Stepper(live);
    s.patch({ value: input.value, limit: input.limit });
    s.comment(input.ts, SYSTEM_ACTOR, 'live: condition active in live readings', input.value);
    return s.done();
  }
  return applyCondition(live, input);
}

/**
 * The alarm's colour (severity) changed, e.g. the hazard was reassessed or a multi-detector rule
 * fired. A rise while ACKED re-alarms (ISA-18.2 C→B, re-alarm at higher severity).
 */
export function applyColour(alarm: AlarmRecord, colour: WarningColour, ts: number, reason: string): Step {
  const s = new Stepper(alarm);
  const rises = colourRank(colour) > colourRank(alarm.colour);
  s.patch({ colour });
  if (rises && alarm.state === 'ACKED') {
    s.go(
      'UNACK',
      ts,
      SYSTEM_ACTOR,
      `re-alarm: severity ${alarm.colour} → ${colour} (${reason})`,
      alarm.value,
    );
  }
  return s.done();
}

/** Reason recorded for an automatic chattering suppression, e.g. `chattering: ≥3 in 60s`. */
export function chatteringReason(policy: AlarmPolicy): string {
  return `chattering: ≥${policy.chattering.count} in ${policy.chattering.windowMs / 1000}s`;
}

/**
 * The book found the alarm chattering (REFERENCE §7: ≥ 3 transitions to active in 60 s). Flag it,
 * and with `autoSuppress` put an annunciated alarm into DSUPR with the rule as reason.
 */
export function applyChattering(alarm: AlarmRecord, ts: number, policy: AlarmPolicy): Step {
  const s = new Stepper(alarm);
  s.patch({ chattering: true });
  const annunciated = alarm.state === 'UNACK' || alarm.state === 'ACKED' || alarm.state === 'RTNUN';
  if (policy.chattering.autoSuppress && annunciated) {
    const reason = chatteringReason(policy);
    s.go('DSUPR', ts, SYSTEM_ACTOR, reason, alarm.value, {
      suppressReason: reason,
      suppressedBy: SYSTEM_ACTOR,
    });
  }
  return s.done();
}

/** Time-driven transitions: shelve expiry, re-alarm time, end of chattering. */
export function applyTick(alarm: AlarmRecord, nowMs: number, policy: AlarmPolicy): Step {
  const s = new Stepper(alarm);
  if (alarm.state === 'SHLVD' && alarm.shelvedUntilMs !== null && nowMs >= alarm.shelvedUntilMs) {
    // ISA-18.2: a shelve is time-limited and ends by itself.
    s.resume(nowMs, SYSTEM_ACTOR, 'shelve expired');
  }
  const { reAlarmMs } = policy;
  if (
    s.alarm.state === 'ACKED' &&
    s.alarm.active &&
    reAlarmMs !== null &&
    nowMs - s.alarm.stateSinceMs >= reAlarmMs
  ) {
    s.go('UNACK', nowMs, SYSTEM_ACTOR, `re-alarm: still active ${reAlarmMs} ms after acknowledgement`, null);
  }
  const last = s.alarm.lastActivationMs;
  if (s.alarm.chattering && (last === null || nowMs - last >= policy.chattering.releaseMs)) {
    const autoSuppressed =
      s.alarm.state === 'DSUPR' &&
      s.alarm.suppressedBy === SYSTEM_ACTOR &&
      s.alarm.designSuppression === undefined;
    s.patch({ chattering: false });
    if (autoSuppressed)
      s.resume(nowMs, SYSTEM_ACTOR, `chattering ended: quiet for ${policy.chattering.releaseMs} ms`);
  }
  return s.done();
}

const refuse = (action: AlarmAction, state: AlarmState): AlarmResult<never> =>
  fail(alarmErrors.create('HW_CORE_ALARM_INVALID_TRANSITION', { action, state }));

/** Operator request (acknowledge, shelve, out of service, suppress, comment), validated. */
export function applyOperator(
  alarm: AlarmRecord,
  request: OperatorRequest,
  policy: AlarmPolicy,
): AlarmResult<Step> {
  const { action, ts } = request;
  if (!Number.isFinite(ts))
    return fail(alarmErrors.create('HW_CORE_ALARM_BAD_TIME', { name: 'ts', value: String(ts) }));
  const actor = request.actor.trim();
  if (actor === '' || actor === SYSTEM_ACTOR)
    return fail(alarmErrors.create('HW_CORE_ALARM_BAD_ACTOR', { actor: request.actor }));
  const reason = request.reason?.trim() || null;
  if (reason === null && REASON_REQUIRED.has(action))
    return fail(alarmErrors.create('HW_CORE_ALARM_REASON_REQUIRED', { action }));

  const s = new Stepper(alarm);
  const state = alarm.state;
  switch (action) {
    case 'ack': {
      const acked = { ackedAt: ts, ackedBy: actor };
      if (state === 'RTNUN') s.go('NORM', ts, actor, reason, null, acked);
      else if (state === 'UNACK') {
        s.go('ACKED', ts, actor, reason, null, acked);
        // A latched alarm whose condition already cleared is reset by the acknowledgement.
        if (!alarm.active) s.go('NORM', ts, actor, 'latched alarm reset by acknowledgement', null);
      } else return refuse(action, state);
      break;
    }
    case 'shelve': {
      // Precedence OOSRV > DSUPR > SHLVD (alarm-record.ts): a shelve never hides a stronger state.
      if (state === 'SHLVD' || state === 'DSUPR' || state === 'OOSRV') return refuse(action, state);
      const untilMs = request.untilMs;
      if (untilMs === undefined || untilMs === null)
        return fail(alarmErrors.create('HW_CORE_ALARM_SHELVE_EXPIRY_REQUIRED', {}));
      if (!Number.isFinite(untilMs))
        return fail(
          alarmErrors.create('HW_CORE_ALARM_BAD_TIME', { name: 'untilMs', value: String(untilMs) }),
        );
      if (untilMs <= ts) return fail(alarmErrors.create('HW_CORE_ALARM_SHELVE_EXPIRY_PAST', { untilMs, ts }));
      const { maxShelveMs } = policy;
      if (maxShelveMs !== null && untilMs - ts > maxShelveMs) {
        return fail(
          alarmErrors.create('HW_CORE_ALARM_SHELVE_TOO_LONG', { durationMs: untilMs - ts, maxShelveMs }),
        );
      }
      s.go('SHLVD', ts, actor, reason, null, { shelvedUntilMs: untilMs, shelveReason: reason });
      break;
    }
    case 'unshelve':
      if (state !== 'SHLVD') return refuse(action, state);
      s.resume(ts, actor, reason);
      break;
    case 'remove_from_service':
      if (state === 'OOSRV') return refuse(action, state);
      s.go('OOSRV', ts, actor, reason, null, { outOfServiceReason: reason });
      break;
    case 'return_to_service':
      if (state !== 'OOSRV') return refuse(action, state);
      s.resume(ts, actor, reason);
      break;
    case 'suppress':
      if (state === 'DSUPR' || state === 'OOSRV') return refuse(action, state);
      s.go('DSUPR', ts, actor, reason, null, { suppressReason: reason, suppressedBy: actor });
      break;
    case 'unsuppress':
      // A designed suppression ends by its rule, when the suppressing condition clears.
      if (state !== 'DSUPR' || alarm.designSuppression !== undefined) return refuse(action, state);
      s.resume(ts, actor, reason);
      break;
    case 'comment':
      if (state === 'NORM') return refuse(action, state);
      s.comment(ts, actor, reason ?? '');
      break;
  }
  return ok(s.done());
}
