/**
 * `WarningDesk`: the 预警 handling loop (闭环) for every open warning of a site — push → sign
 * (签收) → handling feedback (处置反馈) → verification (核查) → close (消警), 督办 (urging) with a
 * deadline, upgrade/downgrade and timeout escalation; who may take each step is decided here with
 * the actor's side and the colour's closing rule (docs/warnings.md). REFERENCE §1 and §8 items 2
 * and 20.
 *
 * Pure and synchronous: the host passes time in (ms UTC), persists the events and the open
 * records, and hands notifications to a channel layer. Bad user input comes back as a coded error
 * (`ok: false`), never as a throw; a failed action changes nothing.
 */
import { colourRank, isWarningColour, type WarningAction, type WarningColour } from '@hazardwatch/contracts';
import { warningErrors, type WarningError } from './warning-errors.js';
import { buildNotification, unionTiers } from './warning-notify.js';
import { compileWarningPolicy, type WarningPolicy } from './warning-policy.js';
import { subjectExists, type WarningSiteView } from './warning-recipients.js';
import { advanceWarning, type WarningOutput } from './warning-timers.js';
import {
  WARNING_PARTIES,
  type WarningActor,
  type WarningEvent,
  type WarningNotification,
  type WarningParty,
  type WarningRecord,
  type WarningState,
  type WarningSubject,
} from './warning-types.js';
import { checkLoadable } from './warning-load.js';
import { warningSideStateRefusal, warningStepRefusal } from './warning-steps.js';

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
  /** Required while the cause is active (a forced close) and for the administrator; recorded. */
  readonly reason?: string | undefined;
}

export interface UrgeRequest {
  /** The 督办 note. */
  readonly text: string;
  /** ms UTC, after now. */
  readonly deadlineMs: number;
}

const trimmedText = (text: unknown): string => (typeof text === 'string' ? text.trim() : '');

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
      urge: null,
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
      buildNotification(this.#site, record, 'opened', nowMs, {
        policy: this.policy,
        persons: this.policy.recipients[colour].opened,
        tiers: record.notifiedTiers,
      }),
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

  /** 签收: pushed → signed. The enterprise's (or the administrator's) step. */
  sign(warningId: string, actor: WarningActor, nowMs: number): WarningResult {
    return this.#act(warningId, 'sign', actor, nowMs, (w, out) => {
      out.events.push({ ...this.#eventBase(w, w.state, 'signed', nowMs, actor), type: 'signed' });
      return { ...w, state: 'signed', updatedAt: nowMs };
    });
  }

  /**
   * 处置反馈: signed → feedback; further feedback (also after a verification, which then has to be
   * repeated) is recorded too. Answers the 督办 in force. The enterprise's (or admin's) step.
   */
  feedback(warningId: string, actor: WarningActor, text: string, nowMs: number): WarningResult {
    return this.#act(warningId, 'feedback', actor, nowMs, (w, out) => {
      const trimmed = trimmedText(text);
      if (trimmed === '')
        return {
          error: warningErrors.create('HW_CORE_WARNING_TEXT_REQUIRED', { action: 'feedback', warningId }),
        };
      out.events.push({
        ...this.#eventBase(w, w.state, 'feedback', nowMs, actor),
        type: 'feedback',
        text: trimmed,
      });
      return { ...w, state: 'feedback', urge: null, updatedAt: nowMs };
    });
  }

  /**
   * 督办: a regulator's note and deadline on an open warning. The state does not change; the
   * responsible persons are notified (policy `recipients.<colour>.urged`); the deadline passing
   * without new handling feedback is reported overdue (step `urge`) with a reminder.
   */
  urge(warningId: string, actor: WarningActor, request: UrgeRequest, nowMs: number): WarningResult {
    return this.#act(warningId, 'urge', actor, nowMs, (w, out) => {
      const trimmed = trimmedText(request.text);
      if (trimmed === '')
        return {
          error: warningErrors.create('HW_CORE_WARNING_TEXT_REQUIRED', { action: 'urge', warningId }),
        };
      const deadlineMs = request.deadlineMs;
      if (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs) || deadlineMs <= nowMs)
        return {
          error: warningErrors.create('HW_CORE_WARNING_INVALID_DEADLINE', {
            warningId,
            deadlineMs: String(deadlineMs),
            nowMs,
          }),
        };
      const tier = actor.party === 'admin' || actor.party === 'enterprise' ? null : actor.party;
      const urged: WarningRecord = { ...w, urge: { urgedAt: nowMs, deadlineMs, tier }, updatedAt: nowMs };
      out.events.push({
        ...this.#eventBase(urged, w.state, w.state, nowMs, actor),
        type: 'urged',
        text: trimmed,
        deadline: deadlineMs,
      });
      out.notifications.push(
        buildNotification(this.#site, urged, 'urged', nowMs, {
          policy: this.policy,
          persons: this.policy.recipients[urged.colour].urged,
          tiers: [],
        }),
      );
      return urged;
    });
  }

  /** 核查: a regulator verifies the enterprise's handling feedback: feedback → verified. */
  verify(warningId: string, actor: WarningActor, text: string, nowMs: number): WarningResult {
    return this.#act(warningId, 'verify', actor, nowMs, (w, out) => {
      const trimmed = trimmedText(text);
      if (trimmed === '')
        return {
          error: warningErrors.create('HW_CORE_WARNING_TEXT_REQUIRED', { action: 'verify', warningId }),
        };
      out.events.push({
        ...this.#eventBase(w, w.state, 'verified', nowMs, actor),
        type: 'verified',
        text: trimmed,
      });
      return { ...w, state: 'verified', updatedAt: nowMs };
    });
  }

  /**
   * 消警, by the colour's closing rule (policy `closing`): never before 签收; the side the rule
   * names (a regulator only at or above the warning's current level) once the warning has
   * reached the rule's state (feedback, or a regulator's verification). While the cause is still
   * active the close needs a reason and is recorded as forced — the rule still applies. The
   * administrator closes as break-glass: from any signed state, with a reason, always forced.
   */
  close(warningId: string, actor: WarningActor, request: CloseRequest, nowMs: number): WarningResult {
    return this.#act(warningId, 'close', actor, nowMs, (w, out) => {
      const reason = trimmedText(request.reason);
      const refused = this.#closeRefusal(w, actor.party, request.causeActive, reason);
      if (refused !== null) return { error: refused };
      const forced = actor.party === 'admin' || request.causeActive;
      out.events.push({
        ...this.#eventBase(w, w.state, 'closed', nowMs, actor),
        type: 'closed',
        forced,
        ...(reason === '' ? {} : { text: reason }),
      });
      out.notifications.push(
        buildNotification(this.#site, w, 'closed', nowMs, {
          policy: this.policy,
          persons: this.policy.recipients[w.colour].closed,
          tiers: w.notifiedTiers,
        }),
      );
      return 'closed';
    });
  }

  /**
   * What the request adds to the closing rule (warningStepRefusal, already checked): the
   * administrator's break-glass close and a close while the cause is active need a reason.
   */
  #closeRefusal(
    w: WarningRecord,
    party: WarningParty,
    causeActive: boolean,
    reason: string,
  ): WarningError | null {
    if (party === 'admin' && reason === '')
      return warningErrors.create('HW_CORE_WARNING_REASON_REQUIRED', {
        action: 'close',
        warningId: w.id,
        why: 'the administrator closes only as break-glass, recorded as forced',
      });
    if (causeActive && reason === '')
      return warningErrors.create('HW_CORE_WARNING_CAUSE_ACTIVE', { warningId: w.id });
    return null;
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
      // Records stored before 督办 existed have no `urge`: none in force.
      this.#store(Object.freeze({ ...record, urge: record.urge ?? null }));
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
        policy: this.policy,
        persons: this.policy.recipients[colour].upgraded,
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

  /**
   * A person's action. The checks run on the warning as its timers have made it by `nowMs` (an
   * escalation due before the action has happened for the rules, e.g. the level a regulator must
   * be at); a refused action changes nothing — the timer events come with the next tick. Who may
   * take the step is warningStepRefusal's answer, the same GET /warnings/:id gives as `steps`.
   */
  #act(
    warningId: string,
    action: WarningAction,
    actor: WarningActor,
    nowMs: number,
    change: (w: WarningRecord, out: WarningOutput) => WarningRecord | 'closed' | { error: WarningError },
  ): WarningResult {
    if (!Number.isFinite(nowMs)) return failure(timeError('nowMs', nowMs));
    const record = this.#open.get(warningId);
    if (record === undefined) {
      return failure(
        this.#closed.has(warningId)
          ? warningErrors.create('HW_CORE_WARNING_INVALID_TRANSITION', { action, warningId, state: 'closed' })
          : warningErrors.create('HW_CORE_WARNING_NOT_FOUND', { warningId }),
      );
    }
    if (typeof actor?.id !== 'string' || actor.id.trim() === '')
      return failure(warningErrors.create('HW_CORE_WARNING_ACTOR_REQUIRED', { action, warningId }));
    if (!(WARNING_PARTIES as readonly string[]).includes(actor.party))
      return failure(warningErrors.create('HW_CORE_WARNING_INVALID_PARTY', { party: String(actor.party) }));
    // Side and state first (the timers never change the state), then the time, then the whole
    // rule on the warning as its timers have made it (level, colour).
    const early = warningSideStateRefusal(record, action, actor.party);
    if (early !== null) return failure(early);
    if (nowMs < record.updatedAt) return failure(this.#reversed(record, nowMs));
    const out: WarningOutput = { events: [], notifications: [] };
    const advanced = advanceWarning(this.#site, this.policy, record, nowMs, out);
    const refused = warningStepRefusal(advanced, action, actor.party, this.policy);
    if (refused !== null) return failure(refused);
    const changed = change(advanced, out);
    if (changed === 'closed') this.#forget(advanced);
    else if ('error' in changed) return failure(changed.error);
    else this.#store(changed);
    return success(warningId, out);
  }

  #reversed(w: WarningRecord, nowMs: number): WarningError {
    return warningErrors.create('HW_CORE_WARNING_TIME_REVERSED', {
      warningId: w.id,
      nowMs,
      lastMs: w.updatedAt,
    });
  }

  #eventBase(
    w: WarningRecord,
    from: WarningState | null,
    to: WarningState,
    ts: number,
    actor: string | WarningActor,
  ) {
    return {
      warningId: w.id,
      enterprise: w.enterprise,
      hazard: w.hazard,
      from,
      to,
      ts,
      ...(typeof actor === 'string' ? { actor } : { actor: actor.id, party: actor.party }),
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
