/**
 * `WarningDesk`: the 预警 handling loop (闭环) for every open warning of a site — push → sign
 * (签收) → handling feedback (处置反馈) → close (消警), upgrade/downgrade and timeout escalation.
 * REFERENCE §1 and §8 items 2 and 20.
 *
 * Pure and synchronous: the host passes time in (ms UTC), persists the events and the open
 * records, and hands notifications to a channel layer. Bad user input comes back as a coded error
 * (`ok: false`), never as a throw; a failed action changes nothing.
 */
import { colourRank, isWarningColour, type WarningColour } from '@hazardwatch/contracts';
import { warningErrors, type WarningError } from './warning-errors.js';
import { buildNotification, unionTiers } from './warning-notify.js';
import { compileWarningPolicy, type WarningPolicy } from './warning-policy.js';
import { subjectExists, type WarningSiteView } from './warning-recipients.js';
import { advanceWarning, type WarningOutput } from './warning-timers.js';
import type {
  WarningEvent,
  WarningNotification,
  WarningRecord,
  WarningState,
  WarningSubject,
} from './warning-types.js';
import { checkLoadable } from './warning-load.js';

export type WarningResult =
  | {
      readonly ok: true;
      /** The warning acted on (null for `tick`, or `observe` with no open warning). */
      readonly warningId: string | null;
      readonly events: readonly WarningEvent[];
      readonly notifications: readonly WarningNotification[];
    }
  | {
      readonly ok: false;
      readonly error: WarningError;
      readonly events: readonly WarningEvent[];
      readonly notifications: readonly WarningNotification[];
    };

export interface CloseRequest {
  /** The host's verdict: does the condition that raised the warning still hold? */
  readonly causeActive: boolean;
  /** Required for a forced close (cause still active, or no handling feedback yet); recorded. */
  readonly reason?: string;
}

export interface WarningDeskOptions {
  /**
   * The compiled policy (compileWarningPolicy, or AlarmSettings.warningPolicy): compiled once by
   * whoever reads the configuration, never again here. @default compileWarningPolicy({}) — the
   * provisional defaults.
   */
  readonly policy?: WarningPolicy;
  /**
   * Id of a new warning. @default `wrn:{enterprise}:{hazard or *}:{nowMs}:{seq}` — unique within
   * one desk; a host persisting across restarts should pass ids from its store.
   */
  readonly newId?: (subject: WarningSubject, nowMs: number, seq: number) => string;
  /** How many closed ids are remembered, so acting on one answers "closed", not "not found". @default 10000 */
  readonly closedMemory?: number;
}

const EMPTY: readonly never[] = Object.freeze([]);
const DEFAULT_POLICY: WarningPolicy = compileWarningPolicy();
const subjectKey = (s: WarningSubject): string => `${s.enterprise}\u0000${s.hazard ?? ''}`;
const subjectText = (s: WarningSubject): string =>
  s.hazard === null ? `enterprise ${s.enterprise}` : `hazard ${s.enterprise}/${s.hazard}`;

function failure(error: WarningError): WarningResult {
  return Object.freeze({ ok: false, error, events: EMPTY, notifications: EMPTY });
}

function byTs<T extends { readonly ts: number }>(list: T[]): readonly T[] {
  // Array.prototype.sort is stable, so one warning's same-instant events keep their order.
  return Object.freeze(list.sort((a, b) => a.ts - b.ts));
}

function success(warningId: string | null, out: WarningOutput): WarningResult {
  return Object.freeze({
    ok: true,
    warningId,
    events: byTs(out.events.map((e) => Object.freeze(e))),
    notifications: byTs(out.notifications),
  });
}

const timeError = (name: string, value: number): WarningError =>
  warningErrors.create('HW_CORE_WARNING_INVALID_TIME', { name, value });

export class WarningDesk {
  readonly policy: WarningPolicy;
  readonly #site: WarningSiteView;
  readonly #newId: NonNullable<WarningDeskOptions['newId']>;
  readonly #closedMemory: number;
  readonly #open = new Map<string, WarningRecord>();
  readonly #bySubject = new Map<string, string>();
  /** Recently closed ids, oldest first (Map keeps insertion order). */
  readonly #closed = new Map<string, true>();
  #seq = 0;

  constructor(site: WarningSiteView, options: WarningDeskOptions = {}) {
    this.#site = site;
    this.policy = options.policy ?? DEFAULT_POLICY;
    this.#newId =
      options.newId ?? ((s, nowMs, seq) => `wrn:${s.enterprise}:${s.hazard ?? '*'}:${nowMs}:${seq}`);
    this.#closedMemory = options.closedMemory ?? 10_000;
  }

  /** The open warning with this id. */
  get(warningId: string): WarningRecord | undefined {
    return this.#open.get(warningId);
  }

  /** The open warning of a subject (at most one per hazard or enterprise). */
  openWarningFor(subject: WarningSubject): WarningRecord | undefined {
    const id = this.#bySubject.get(subjectKey(subject));
    return id === undefined ? undefined : this.#open.get(id);
  }

  /** Every open warning, for persistence. */
  openWarnings(): readonly WarningRecord[] {
    return Object.freeze([...this.#open.values()]);
  }

  /**
   * The subject's rolled-up colour rose to `colour`. Opens a warning, or upgrades the open one
   * (same event stream, never a second warning). A colour not above the open one only records
   * the observation (see `observe`).
   */
  open(
    subject: WarningSubject,
    colour: WarningColour,
    causeAlarmIds: readonly string[],
    nowMs: number,
  ): WarningResult {
    if (!Number.isFinite(nowMs)) return failure(timeError('nowMs', nowMs));
    if (!isWarningColour(colour))
      return failure(warningErrors.create('HW_CORE_WARNING_INVALID_COLOUR', { colour }));
    const current = this.openWarningFor(subject);
    if (current !== undefined) return this.#observeExisting(current, colour, causeAlarmIds, nowMs);
    if (!subjectExists(this.#site, subject))
      return failure(
        warningErrors.create('HW_CORE_WARNING_UNKNOWN_SUBJECT', { subject: subjectText(subject) }),
      );

    const id = this.#newId(subject, nowMs, ++this.#seq);
    const record: WarningRecord = {
      id,
      enterprise: subject.enterprise,
      hazard: subject.hazard,
      colour,
      state: 'pushed',
      level: 'enterprise',
      notifiedTiers: this.policy.initialTiers[colour],
      causeAlarmIds: Object.freeze([...new Set(causeAlarmIds)]),
      openedAt: nowMs,
      timerStartMs: nowMs,
      overdue: EMPTY,
      observedColour: colour,
      improvingSinceMs: null,
      updatedAt: nowMs,
    };
    const out: WarningOutput = { events: [], notifications: [] };
    out.events.push({
      ...this.#eventBase(record, null, 'pushed', nowMs, 'system'),
      type: 'opened',
      causeAlarmIds: record.causeAlarmIds,
    });
    out.notifications.push(
      buildNotification(this.#site, record, 'opened', nowMs, { persons: true, tiers: record.notifiedTiers }),
    );
    this.#store(record);
    return success(id, out);
  }

  /**
   * The host's current rolled-up colour for a subject (null = back to normal). Above the open
   * warning's colour: upgrade. Below it: starts (or continues) the downgrade wait of the policy.
   * No open warning: nothing happens (opening is `open`'s job, it needs the causing alarms).
   */
  observe(subject: WarningSubject, colour: WarningColour | null, nowMs: number): WarningResult {
    if (!Number.isFinite(nowMs)) return failure(timeError('nowMs', nowMs));
    if (colour !== null && !isWarningColour(colour))
      return failure(warningErrors.create('HW_CORE_WARNING_INVALID_COLOUR', { colour }));
    const current = this.openWarningFor(subject);
    if (current === undefined) return success(null, { events: [], notifications: [] });
    return this.#observeExisting(current, colour, EMPTY, nowMs);
  }

  /** 签收: pushed → signed. */
  sign(warningId: string, actor: string, nowMs: number): WarningResult {
    const found = this.#actionable(warningId, 'sign', actor, nowMs, ['pushed']);
    if (!found.ok) return failure(found.error);
    return this.#apply(found.record, nowMs, (w, out) => {
      out.events.push({ ...this.#eventBase(w, w.state, 'signed', nowMs, actor), type: 'signed' });
      return { ...w, state: 'signed', updatedAt: nowMs };
    });
  }

  /** 处置反馈: signed → feedback; further feedback while in `feedback` is recorded too. */
  feedback(warningId: string, actor: string, text: string, nowMs: number): WarningResult {
    const found = this.#actionable(warningId, 'feedback', actor, nowMs, ['signed', 'feedback']);
    if (!found.ok) return failure(found.error);
    const trimmed = typeof text === 'string' ? text.trim() : '';
    if (trimmed === '') return failure(warningErrors.create('HW_CORE_WARNING_TEXT_REQUIRED', { warningId }));
    return this.#apply(found.record, nowMs, (w, out) => {
      out.events.push({
        ...this.#eventBase(w, w.state, 'feedback', nowMs, actor),
        type: 'feedback',
        text: trimmed,
      });
      return { ...w, state: 'feedback', updatedAt: nowMs };
    });
  }

  /**
   * 消警. A normal close needs handling feedback and the cause back to normal. With a reason, the
   * close is allowed from any open state even while the cause is active, and is recorded as
   * forced (a reason given on a normal close is kept as a remark, not forced).
   */
  close(warningId: string, actor: string, request: CloseRequest, nowMs: number): WarningResult {
    const found = this.#actionable(warningId, 'close', actor, nowMs, ['pushed', 'signed', 'feedback']);
    if (!found.ok) return failure(found.error);
    const w0 = found.record;
    const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
    const normal = !request.causeActive && w0.state === 'feedback';
    if (!normal && reason === '') {
      if (request.causeActive)
        return failure(warningErrors.create('HW_CORE_WARNING_CAUSE_ACTIVE', { warningId }));
      return failure(
        warningErrors.create('HW_CORE_WARNING_FEEDBACK_REQUIRED', { warningId, state: w0.state }),
      );
    }
    const out: WarningOutput = { events: [], notifications: [] };
    const w = advanceWarning(this.#site, this.policy, w0, nowMs, out);
    out.events.push({
      ...this.#eventBase(w, w.state, 'closed', nowMs, actor),
      type: 'closed',
      forced: !normal,
      ...(reason === '' ? {} : { text: reason }),
    });
    out.notifications.push(
      buildNotification(this.#site, w, 'closed', nowMs, { persons: true, tiers: w.notifiedTiers }),
    );
    this.#forget(w);
    return success(warningId, out);
  }

  /** Apply every deadline and downgrade due at `nowMs`, for all open warnings. */
  tick(nowMs: number): WarningResult {
    if (!Number.isFinite(nowMs)) return failure(timeError('nowMs', nowMs));
    const out: WarningOutput = { events: [], notifications: [] };
    for (const w of [...this.#open.values()])
      this.#store(advanceWarning(this.#site, this.policy, w, nowMs, out));
    return success(null, out);
  }

  /**
   * Restore open warnings after a restart. Records with a subject that left the site model are
   * still loaded (they must stay closable); their notifications then have fewer recipients.
   */
  load(openWarnings: readonly WarningRecord[]): {
    readonly loaded: number;
    readonly errors: readonly WarningError[];
  } {
    const errors: WarningError[] = [];
    let loaded = 0;
    for (const record of openWarnings) {
      const problem = checkLoadable(record, this.#open, this.#bySubject.has(subjectKey(record)));
      if (problem !== null) {
        errors.push(
          warningErrors.create('HW_CORE_WARNING_LOAD_REJECTED', { warningId: String(record.id), problem }),
        );
        continue;
      }
      this.#store(Object.freeze({ ...record }));
      this.#closed.delete(record.id);
      loaded++;
    }
    return Object.freeze({ loaded, errors: Object.freeze(errors) });
  }

  #observeExisting(
    current: WarningRecord,
    colour: WarningColour | null,
    causeAlarmIds: readonly string[],
    nowMs: number,
  ): WarningResult {
    if (nowMs < current.updatedAt) return failure(this.#reversed(current, nowMs));
    if (colour !== null && colourRank(colour) > colourRank(current.colour))
      return this.#apply(current, nowMs, (w, out) => this.#upgrade(w, colour, causeAlarmIds, nowMs, out));
    return this.#apply(current, nowMs, (w) => {
      const improving = colourRank(colour) < colourRank(w.colour);
      return {
        ...w,
        observedColour: colour,
        improvingSinceMs: improving ? (w.improvingSinceMs ?? nowMs) : null,
      };
    });
  }

  /**
   * A higher colour on an open warning: same warning, new colour, back to `pushed` (the more
   * serious warning must be signed for again), timers restart, the escalation level is kept.
   */
  #upgrade(
    w: WarningRecord,
    colour: WarningColour,
    causeAlarmIds: readonly string[],
    nowMs: number,
    out: WarningOutput,
  ): WarningRecord {
    const added = causeAlarmIds.filter((id) => !w.causeAlarmIds.includes(id));
    const upgraded: WarningRecord = {
      ...w,
      colour,
      state: 'pushed',
      notifiedTiers: unionTiers(w.notifiedTiers, this.policy.initialTiers[colour]),
      causeAlarmIds: Object.freeze([...w.causeAlarmIds, ...new Set(added)]),
      timerStartMs: nowMs,
      overdue: EMPTY,
      observedColour: colour,
      improvingSinceMs: null,
      updatedAt: nowMs,
    };
    out.events.push({
      ...this.#eventBase(upgraded, w.state, 'pushed', nowMs, 'system'),
      type: 'upgraded',
      previousColour: w.colour,
      causeAlarmIds: Object.freeze(added),
    });
    out.notifications.push(
      buildNotification(this.#site, upgraded, 'upgraded', nowMs, {
        persons: true,
        tiers: upgraded.notifiedTiers,
      }),
    );
    return upgraded;
  }

  #apply(
    record: WarningRecord,
    nowMs: number,
    change: (w: WarningRecord, out: WarningOutput) => WarningRecord,
  ): WarningResult {
    const out: WarningOutput = { events: [], notifications: [] };
    const advanced = advanceWarning(this.#site, this.policy, record, nowMs, out);
    this.#store(change(advanced, out));
    return success(record.id, out);
  }

  #actionable(
    warningId: string,
    action: string,
    actor: string,
    nowMs: number,
    allowed: readonly WarningState[],
  ): { ok: true; record: WarningRecord } | { ok: false; error: WarningError } {
    if (!Number.isFinite(nowMs)) return { ok: false, error: timeError('nowMs', nowMs) };
    const record = this.#open.get(warningId);
    if (record === undefined) {
      const error = this.#closed.has(warningId)
        ? warningErrors.create('HW_CORE_WARNING_INVALID_TRANSITION', { action, warningId, state: 'closed' })
        : warningErrors.create('HW_CORE_WARNING_NOT_FOUND', { warningId });
      return { ok: false, error };
    }
    if (!allowed.includes(record.state))
      return {
        ok: false,
        error: warningErrors.create('HW_CORE_WARNING_INVALID_TRANSITION', {
          action,
          warningId,
          state: record.state,
        }),
      };
    if (typeof actor !== 'string' || actor.trim() === '')
      return {
        ok: false,
        error: warningErrors.create('HW_CORE_WARNING_ACTOR_REQUIRED', { action, warningId }),
      };
    if (nowMs < record.updatedAt) return { ok: false, error: this.#reversed(record, nowMs) };
    return { ok: true, record };
  }

  #reversed(w: WarningRecord, nowMs: number): WarningError {
    return warningErrors.create('HW_CORE_WARNING_TIME_REVERSED', {
      warningId: w.id,
      nowMs,
      lastMs: w.updatedAt,
    });
  }

  #eventBase(w: WarningRecord, from: WarningState | null, to: WarningState, ts: number, actor: string) {
    return {
      warningId: w.id,
      enterprise: w.enterprise,
      hazard: w.hazard,
      from,
      to,
      ts,
      actor,
      colour: w.colour,
      level: w.level,
    };
  }

  #store(record: WarningRecord): void {
    this.#open.set(record.id, Object.freeze(record));
    this.#bySubject.set(subjectKey(record), record.id);
  }

  #forget(w: WarningRecord): void {
    this.#open.delete(w.id);
    this.#bySubject.delete(subjectKey(w));
    this.#closed.set(w.id, true);
    if (this.#closed.size > this.#closedMemory) {
      const oldest = this.#closed.keys().next();
      if (oldest.done !== true) this.#closed.delete(oldest.value);
    }
  }
}
