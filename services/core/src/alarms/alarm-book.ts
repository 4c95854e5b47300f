/**
 * In-memory book of open alarms: at most ONE open alarm per (source, condition) (STYLE rule 12,
 * REFERENCE §8 item 15). Open = any state but NORM; an alarm that reaches NORM is closed and a
 * later occurrence opens a new alarm with a new id.
 *
 * The book owns no storage and no clock: every call returns the events to append and the records
 * to upsert, and `load` restores the open alarms the caller reloaded after a restart.
 *
 * It also applies designed suppression (designed-suppression.ts): after every change of a point's
 * HH/H (LL/L) alarm it puts the H (L) alarm into DSUPR while the HH (LL) condition holds, and back
 * into its real state when it clears, in the same update.
 */
import type { AlarmCondition, WarningColour } from '@hazardwatch/contracts';
import { alarmErrors, fail, ok, type AlarmResult } from './alarm-errors.js';
import {
  applyChattering,
  applyColour,
  applyCondition,
  applyLateNote,
  applyLiveTakeover,
  applyOperator,
  applyTick,
  newAlarm,
  type OperatorRequest,
  type Step,
} from './alarm-lifecycle.js';
import { DEFAULT_ALARM_POLICY, type AlarmPolicy } from './alarm-policy.js';
import type { AlarmLifecycleEvent, AlarmRecord } from './alarm-record.js';
import { sourceKey, type AlarmSource, type ConditionChange } from './alarm-types.js';
import { ChatterWindow } from './chatter-window.js';
import { DEFAULT_COLOUR_POLICY, alarmColour } from './colour-policy.js';
import {
  applyDesignRelease,
  applyDesignSuppression,
  holdsSuppressed,
  isDesignSuppressed,
  suppressedBy,
  suppressorOf,
} from './designed-suppression.js';

export interface AlarmBookOptions {
  /** Id of a new alarm record; must not repeat an open alarm's id. */
  readonly newId: () => string;
  /** @default DEFAULT_ALARM_POLICY */
  readonly policy?: AlarmPolicy;
  /**
   * 预警 colour of a new alarm. Build it with `siteColourOf(index, colourPolicy)`.
   * @default the default colour policy without site context (no point kind, no hazard level)
   */
  readonly colourOf?: (source: AlarmSource, condition: AlarmCondition) => WarningColour;
}

export interface BookUpdate {
  /** Append these to the alarm journal, in order. */
  readonly events: readonly AlarmLifecycleEvent[];
  /** Records that changed, in their new form; one in NORM has just closed. */
  readonly alarms: readonly AlarmRecord[];
}

/** An open alarm by id, or whatever alarm (open or not yet existing) a source has for a condition. */
export type AlarmTarget =
  { readonly alarmId: string } | { readonly source: AlarmSource; readonly condition: AlarmCondition };

const EMPTY: BookUpdate = Object.freeze({ events: Object.freeze([]), alarms: Object.freeze([]) });

const bookKey = (key: string, condition: AlarmCondition): string => `${key}|${condition}`;

function changed(a: AlarmRecord, b: AlarmRecord): boolean {
  return (Object.keys(a) as (keyof AlarmRecord)[]).some((k) => a[k] !== b[k]);
}

export class AlarmBook {
  readonly policy: AlarmPolicy;
  readonly #newId: () => string;
  readonly #colourOf: (source: AlarmSource, condition: AlarmCondition) => WarningColour;
  readonly #byId = new Map<string, AlarmRecord>();
  readonly #byKey = new Map<string, string>();
  readonly #chatter: ChatterWindow;

  constructor(options: AlarmBookOptions) {
    this.policy = options.policy ?? DEFAULT_ALARM_POLICY;
    this.#newId = options.newId;
    this.#colourOf =
      options.colourOf ??
      ((_source, condition) =>
        alarmColour(DEFAULT_COLOUR_POLICY, { condition, pointKind: null, hazardLevel: null }));
    this.#chatter = new ChatterWindow(this.policy.chattering.windowMs);
  }

  /** Every open alarm. */
  open(): readonly AlarmRecord[] {
    return [...this.#byId.values()];
  }

  get(alarmId: string): AlarmRecord | undefined {
    return this.#byId.get(alarmId);
  }

  find(source: AlarmSource, condition: AlarmCondition): AlarmRecord | undefined {
    const id = this.#byKey.get(bookKey(sourceKey(source), condition));
    return id === undefined ? undefined : this.#byId.get(id);
  }

  /**
   * Replace the book's contents with the open alarms reloaded after a restart. All or nothing:
   * a record in NORM, a repeated id or two alarms for one (source, condition) refuse the load.
   * The chattering window starts empty (its history is not persisted).
   */
  load(openAlarms: readonly AlarmRecord[]): AlarmResult<number> {
    const ids = new Set<string>();
    const keys = new Map<string, string>();
    for (const a of openAlarms) {
      const problem =
        a.state === 'NORM'
          ? 'it is in NORM (closed)'
          : ids.has(a.id)
            ? 'its id is repeated'
            : a.sourceKey !== sourceKey(a.source)
              ? `sourceKey ${a.sourceKey} does not match its source`
              : keys.has(bookKey(a.sourceKey, a.condition))
                ? `alarm ${keys.get(bookKey(a.sourceKey, a.condition))} is already open for ${a.sourceKey} ${a.condition}`
                : null;
      if (problem !== null)
        return fail(alarmErrors.create('HW_CORE_ALARM_LOAD_INVALID', { alarmId: a.id, problem }));
      ids.add(a.id);
      keys.set(bookKey(a.sourceKey, a.condition), a.id);
    }
    this.#byId.clear();
    this.#byKey.clear();
    for (const a of openAlarms) this.#store(Object.freeze({ ...a }));
    return ok(openAlarms.length);
  }

  /**
   * An evaluator's verdict. A raise on an open alarm never opens a second one; a clear with none is
   * ignored.
   *
   * Late changes (from replayed readings, evaluation/late-lane.ts) and live ones share the one open
   * alarm per (source, condition) the database allows: an alarm raised by a late change is marked
   * late and driven by late changes; the first live change on it hands it to the live lane for
   * good; a late change on an alarm the live lane holds is only noted (a raise) or ignored (a
   * clear), so replayed data never clears or re-raises a live alarm. Late activations are not
   * counted for chattering: they are spread over past source time and were never annunciated.
   */
  change(change: ConditionChange): BookUpdate {
    const key = bookKey(sourceKey(change.source), change.condition);
    const id = this.#byKey.get(key);
    const late = change.late === true;
    let alarm = id === undefined ? undefined : this.#byId.get(id);
    if (alarm === undefined) {
      if (!change.active) return EMPTY;
      alarm = this.#create(change.source, change.condition, change.ts, late);
    } else if (late && alarm.late !== true) {
      return change.active ? this.#commit(alarm, applyLateNote(alarm, change)) : EMPTY;
    } else if (!late && alarm.late === true) {
      return this.#settle(this.#commit(alarm, applyLiveTakeover(alarm, change)), change.ts);
    }
    // A raise while the suppressing condition holds lands in DSUPR at once, never in UNACK first.
    const suppressor = this.#suppressorOf(alarm);
    const pre =
      change.active && suppressor !== undefined && holdsSuppressed(suppressor, alarm)
        ? applyDesignSuppression(alarm, suppressor.condition, change.ts, change.value)
        : null;
    const current = pre?.alarm ?? alarm;
    // Activations of a suppressed alarm are the ladder's, not the operator's: not chattering.
    const activation = change.active && !current.active && !late && !isDesignSuppressed(current);
    let step = applyCondition(current, change);
    if (pre !== null) step = chain(pre, step);
    if (activation && this.#chatter.record(key, change.ts) >= this.policy.chattering.count) {
      step = chain(step, applyChattering(step.alarm, change.ts, this.policy));
    }
    return this.#settle(this.#commit(alarm, step), change.ts);
  }

  /** An operator request; refused with a coded error for bad input. */
  act(target: AlarmTarget, request: OperatorRequest): AlarmResult<BookUpdate> {
    const alarm = this.#resolve(target, request.ts);
    if (!alarm.ok) return alarm;
    const step = applyOperator(alarm.value, request, this.policy);
    return step.ok ? ok(this.#settle(this.#commit(alarm.value, step.value), request.ts)) : step;
  }

  /** The colour (severity) of an open alarm changed; a rise re-alarms an ACKED alarm. */
  recolour(alarmId: string, colour: WarningColour, ts: number, reason: string): AlarmResult<BookUpdate> {
    const alarm = this.#byId.get(alarmId);
    if (alarm === undefined) return fail(alarmErrors.create('HW_CORE_ALARM_NOT_FOUND', { alarmId }));
    return ok(this.#settle(this.#commit(alarm, applyColour(alarm, colour, ts, reason)), ts));
  }

  /** Time passes: shelve expiry, re-alarm time, end of chattering. */
  tick(nowMs: number): BookUpdate {
    const events: AlarmLifecycleEvent[] = [];
    const alarms: AlarmRecord[] = [];
    for (const id of [...this.#byId.keys()]) {
      // Fresh: designed suppression may have changed it earlier in this loop.
      const alarm = this.#byId.get(id);
      if (alarm === undefined) continue;
      const update = this.#settle(this.#commit(alarm, applyTick(alarm, nowMs, this.policy)), nowMs);
      events.push(...update.events);
      alarms.push(...update.alarms);
    }
    this.#chatter.prune(nowMs);
    return events.length === 0 && alarms.length === 0 ? EMPTY : { events, alarms };
  }

  /** The open HH (LL) alarm of the point of an H (L) alarm. */
  #suppressorOf(alarm: AlarmRecord): AlarmRecord | undefined {
    const by = suppressorOf(alarm.condition);
    return by === undefined || alarm.source.kind !== 'point' ? undefined : this.find(alarm.source, by);
  }

  /**
   * Designed suppression after a committed update: each changed H/L alarm, and the H/L alarm of
   * each changed HH/LL, is put into DSUPR or released as its suppressor now says. Appended to
   * the update, after the events that caused them.
   */
  #settle(update: BookUpdate, ts: number): BookUpdate {
    if (update.alarms.length === 0) return update;
    const events = [...update.events];
    const alarms = [...update.alarms];
    const seen = new Set<string>();
    for (const changed of update.alarms) {
      const lower = suppressedBy(changed.condition);
      const target =
        lower !== undefined && changed.source.kind === 'point'
          ? this.find(changed.source, lower)
          : suppressorOf(changed.condition) !== undefined
            ? this.#byId.get(changed.id)
            : undefined;
      if (target === undefined || seen.has(target.id)) continue;
      seen.add(target.id);
      const suppressor = this.#suppressorOf(target);
      const step = holdsSuppressed(suppressor, target)
        ? isDesignSuppressed(target)
          ? null
          : applyDesignSuppression(target, suppressor!.condition, ts)
        : applyDesignRelease(target, ts);
      if (step === null) continue;
      const more = this.#commit(target, step);
      events.push(...more.events);
      alarms.push(...more.alarms);
    }
    return alarms.length === update.alarms.length ? update : { events, alarms };
  }

  #resolve(target: AlarmTarget, ts: number): AlarmResult<AlarmRecord> {
    if ('alarmId' in target) {
      const alarm = this.#byId.get(target.alarmId);
      return alarm === undefined
        ? fail(alarmErrors.create('HW_CORE_ALARM_NOT_FOUND', { alarmId: target.alarmId }))
        : ok(alarm);
    }
    // ISA-18.2 allows shelving or removing from service an alarm that is in normal: a NORM
    // record is made for it, and kept only if the action leaves it open.
    return ok(
      this.find(target.source, target.condition) ?? this.#create(target.source, target.condition, ts),
    );
  }

  #create(source: AlarmSource, condition: AlarmCondition, ts: number, late = false): AlarmRecord {
    const id = this.#newId();
    if (this.#byId.has(id)) throw new Error(`alarm id generator repeated open id ${id}`);
    return newAlarm({
      id,
      source,
      condition,
      colour: this.#colourOf(source, condition),
      latched: this.policy.latchConditions.includes(condition),
      ts,
      late,
    });
  }

  #commit(before: AlarmRecord, step: Step): BookUpdate {
    const isNew = !this.#byId.has(before.id);
    if (step.events.length === 0 && !changed(before, step.alarm)) return EMPTY;
    // A record that never left NORM was never open: nothing to report.
    if (isNew && step.alarm.state === 'NORM' && step.events.length === 0) return EMPTY;
    this.#store(step.alarm);
    return { events: step.events, alarms: [step.alarm] };
  }

  #store(alarm: AlarmRecord): void {
    const key = bookKey(alarm.sourceKey, alarm.condition);
    if (alarm.state === 'NORM') {
      this.#byId.delete(alarm.id);
      if (this.#byKey.get(key) === alarm.id) this.#byKey.delete(key);
      return;
    }
    this.#byId.set(alarm.id, alarm);
    this.#byKey.set(key, alarm.id);
  }
}

function chain(first: Step, second: Step): Step {
  return { alarm: second.alarm, events: [...first.events, ...second.events] };
}
