/**
 * The console's live alarm list, the open alarms it shows: a REST snapshot merged with live `alarm` events
 * (@hazardwatch/contracts LiveAlarmEvent). Pure (no Vue), so the merge rules are unit-tested:
 *  - an event is applied once: ids at or below the alarm's last applied id are duplicates
 *    (socket.io recovery and `sinceEventId` replay may both deliver it);
 *  - an event older than the snapshot row it would change is ignored;
 *  - `→ NORM` closes the alarm (ISA-18.2: ACKED → NORM, RTNUN → NORM on acknowledgement);
 *  - a snapshot replaces the list, but what live events did after the snapshot was requested
 *    (opened, changed or closed a row) stays done. "After" is by arrival order (`mark()`), not by
 *    timestamps: event times are the server's (often the reading's source time), the request
 *    time is the browser's, and the two clocks must never be compared.
 */
import { parseSourceKey, type AlarmRow, type AlarmState, type LiveAlarmEvent } from '@hazardwatch/contracts';

export interface OpenAlarm extends AlarmRow {
  /** Id of the last live event applied; null while the row is as the snapshot gave it. */
  readonly lastEventId: number | null;
}

/** What the list knows of a point, to fill a row that arrives by event only. */
export interface PointFacts {
  readonly tag: string;
  readonly hazard: string | null;
  readonly limits: Readonly<Record<'ll' | 'l' | 'h' | 'hh', number | null>>;
}

export type AlarmChange =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'closed'; readonly alarm: OpenAlarm }
  | { readonly kind: 'opened' | 'changed'; readonly alarm: OpenAlarm; readonly annunciated: boolean };

/**
 * A transition that annunciates (REFERENCE §7, core ANNUNCIATION_FROM_STATES): into UNACK from
 * NORM, RTNUN (re-alarm) or ACKED (re-alarm at a higher severity).
 */
const ANNUNCIATING_FROM: ReadonlySet<AlarmState> = new Set<AlarmState>(['NORM', 'RTNUN', 'ACKED']);

/** The condition's own limit, so a row born from an event shows its limit like a REST row does. */
function limitOf(condition: string, facts: PointFacts | undefined): number | null {
  if (!facts) return null;
  switch (condition) {
    case 'HH':
      return facts.limits.hh;
    case 'H':
      return facts.limits.h;
    case 'L':
      return facts.limits.l;
    case 'LL':
      return facts.limits.ll;
    default:
      return null;
  }
}

/**
 * What a platform alarm is about (`timescaledb/compression:readings`), shown where a point's tag
 * is — as REST's row gives it (issue #20); null for any other source.
 */
function platformTag(sourceKey: string): string | null {
  const source = parseSourceKey(sourceKey);
  return source?.type === 'platform' ? `${source.component}/${source.name}` : null;
}

/**
 * Whether the row is late after this event: a system transition says it (late from replayed
 * readings, live otherwise); the engine's note that live readings took the alarm over makes it
 * live; operator actions and the late notes on a live alarm keep what it was.
 */
function lateAfter(e: LiveAlarmEvent, was: boolean): boolean {
  if (e.actor !== 'system') return was;
  if (e.from !== e.to) return e.late === true;
  return e.reason?.startsWith('live:') === true ? false : was;
}

/**
 * Named apart from core's AlarmBook (the engine's ISA-18.2 state, server side): this is only
 * what one console shows, rebuilt from REST and socket.io.
 */
export class ConsoleAlarmList {
  readonly #alarms = new Map<string, OpenAlarm>();
  /** Arrival sequence of the last event that changed each row, and of closed rows (tombstones). */
  readonly #seqOf = new Map<string, number>();
  readonly #closed = new Map<string, number>();
  /**
   * Marks of the snapshot requests in flight (taken, neither loaded nor abandoned), with how many
   * requests took each. A tombstone matters only to a snapshot requested before its close, so
   * none is kept while no request is in flight: a screen whose reconnects are all recovered (no
   * snapshot) kept one per closed alarm for as long as it ran (the wall's long run, issue #22).
   */
  readonly #pending = new Map<number, number>();
  #seq = 0;
  /** Highest event id seen: the `sinceEventId` of the next replay. */
  lastEventId: number | null = null;

  constructor(private readonly pointFacts: (pointId: number) => PointFacts | undefined = () => undefined) {}

  get size(): number {
    return this.#alarms.size;
  }

  /** Closed alarms remembered for a snapshot in flight (tombstones): for tests and the long run. */
  get tombstones(): number {
    return this.#closed.size;
  }

  get(id: string): OpenAlarm | undefined {
    return this.#alarms.get(id);
  }

  all(): OpenAlarm[] {
    return [...this.#alarms.values()];
  }

  /**
   * The arrival position now: pass it to `loadSnapshot` for a snapshot requested from here on, or
   * to `abandon` when the request fails.
   */
  mark(): number {
    this.#pending.set(this.#seq, (this.#pending.get(this.#seq) ?? 0) + 1);
    return this.#seq;
  }

  /** The snapshot requested at `since` (a `mark()`) will not come: its tombstones go. */
  abandon(since: number): void {
    this.#settle(since);
  }

  /** A request of mark `since` is over: drops the tombstones no request in flight can need. */
  #settle(since: number): void {
    const n = this.#pending.get(since);
    if (n !== undefined && n > 1) this.#pending.set(since, n - 1);
    else this.#pending.delete(since);
    // A tombstone is consulted by a snapshot of mark `m` only if it is newer than `m`.
    let oldest = Infinity;
    for (const m of this.#pending.keys()) oldest = Math.min(oldest, m);
    for (const [id, seq] of this.#closed) if (seq <= oldest) this.#closed.delete(id);
  }

  /**
   * Replaces the list with a snapshot whose request started at `since` (a `mark()`). A row an
   * event changed after that keeps the newer of the two (by the server's `updatedAt`); a row an
   * event opened after it stays even if the snapshot missed it; a row an event closed after it
   * stays closed even if the snapshot still lists it.
   */
  loadSnapshot(items: readonly AlarmRow[], since: number): void {
    const next = new Map<string, OpenAlarm>();
    for (const item of items) {
      if ((this.#closed.get(item.id) ?? -1) > since) continue;
      const held = this.#alarms.get(item.id);
      next.set(
        item.id,
        held && held.updatedAt > item.updatedAt ? held : { ...item, lastEventId: held?.lastEventId ?? null },
      );
    }
    for (const [id, held] of this.#alarms) {
      if (!next.has(id) && (this.#seqOf.get(id) ?? -1) > since) next.set(id, held);
    }
    this.#alarms.clear();
    for (const [id, a] of next) this.#alarms.set(id, a);
    this.#settle(since);
    for (const id of [...this.#seqOf.keys()]) if (!next.has(id)) this.#seqOf.delete(id);
  }

  apply(e: LiveAlarmEvent): AlarmChange {
    if (this.lastEventId === null || e.id > this.lastEventId) this.lastEventId = e.id;
    const held = this.#alarms.get(e.alarmId);
    if (held) {
      if (held.lastEventId !== null ? e.id <= held.lastEventId : e.ts < held.updatedAt)
        return { kind: 'ignored' };
    }
    this.#seq += 1;
    if (e.to === 'NORM') {
      // Remembered only for a snapshot in flight (one requested later no longer lists it).
      if (this.#pending.size > 0) this.#closed.set(e.alarmId, this.#seq);
      if (!held) return { kind: 'ignored' };
      this.#alarms.delete(e.alarmId);
      this.#seqOf.delete(e.alarmId);
      return { kind: 'closed', alarm: held };
    }
    // A late alarm (replayed readings) happened while the link was down: it is shown, marked, and
    // awaits acknowledgement, but does not annunciate (no horn) — docs/operations.md §8.
    const annunciated = e.to === 'UNACK' && ANNUNCIATING_FROM.has(e.from) && e.late !== true;
    const facts = e.pointId === null ? undefined : this.pointFacts(e.pointId);
    const active =
      e.to === 'UNACK' || e.to === 'ACKED' ? true : e.to === 'RTNUN' ? false : (held?.active ?? true);
    const acked = e.to === 'ACKED' || (e.from === 'RTNUN' && e.to !== 'UNACK');
    const base: OpenAlarm = held ?? {
      id: e.alarmId,
      condition: e.condition,
      state: e.to,
      colour: e.colour,
      active,
      enterprise: e.enterprise,
      pointId: e.pointId,
      tag: facts?.tag ?? platformTag(e.sourceKey),
      hazard: e.hazard ?? facts?.hazard ?? null,
      gateway: e.gateway,
      // Not the raise time when the first event we see is a later one; the next snapshot fixes it.
      raisedAt: e.ts,
      updatedAt: e.ts,
      closedAt: null,
      value: e.value,
      // The event's own limit when the server sends it (rate of change, timeouts), else the point's.
      limit: e.limit ?? limitOf(e.condition, facts),
      ackedAt: null,
      ackedBy: null,
      shelvedUntilMs: null,
      shelveReason: null,
      outOfServiceReason: null,
      late: e.late === true,
      lastEventId: e.id,
    };
    const next: OpenAlarm = {
      ...base,
      state: e.to,
      // A re-alarm at a higher severity carries the new colour; null keeps the one we had.
      colour: e.colour ?? base.colour,
      active,
      value: e.value ?? base.value,
      limit: e.limit ?? base.limit,
      updatedAt: e.ts,
      raisedAt: annunciated && e.from === 'NORM' ? e.ts : base.raisedAt,
      ackedAt: acked && e.actor !== 'system' ? e.ts : e.to === 'UNACK' ? null : base.ackedAt,
      ackedBy: acked && e.actor !== 'system' ? e.actor : e.to === 'UNACK' ? null : base.ackedBy,
      shelveReason: e.to === 'SHLVD' ? e.reason : base.shelveReason,
      outOfServiceReason: e.to === 'OOSRV' ? e.reason : base.outOfServiceReason,
      late: lateAfter(e, base.late === true),
      lastEventId: e.id,
    };
    this.#alarms.set(e.alarmId, next);
    this.#seqOf.set(e.alarmId, this.#seq);
    this.#closed.delete(e.alarmId);
    return { kind: held ? 'changed' : 'opened', alarm: next, annunciated };
  }
}
