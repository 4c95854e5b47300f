/**
 * Staleness and communication loss (REFERENCE §8 item 18, provisional: no national timeout was
 * found, REFERENCE §9). Data-quality conditions, distinct from process alarms.
 *
 * Clock: the evaluation clock is what the host passes to tick(nowMs) (e.g. every second). A
 * reading's arrival is stamped with the latest tick, so staleness is measured to tick precision;
 * source timestamps are not used here because a gateway replaying its spool must not look alive
 * for an hour-old sample, and a wrong device clock must not make a point look dead.
 *
 * Point: STALE when no new sample arrived for `staleAfterMs` (0 = not monitored). Only in-order
 * samples count as arrivals: a duplicate or late sample carries no news about the sensor.
 *
 * Gateway: GATEWAY_OFFLINE, raised once on the gateway source, when the host reports it offline
 * (MQTT last will) or when neither telemetry nor gatewayOnline (birth, heartbeat) was seen for
 * the gateway's `offlineAfterMs` (0 = only the host decides). While a gateway is offline its
 * points are stale (isStale) but no per-point STALE is raised. Any telemetry or gatewayOnline
 * brings it back; its silent-stale points then get a fresh `staleAfterMs` and go stale
 * individually if they still send nothing.
 *
 * Attribution: a point whose deadline passes while its gateway has not been heard since that
 * deadline and has been silent for at least half the point's timeout is deferred: the whole
 * gateway has probably gone quiet. It is judged again at the next tick after the gateway speaks
 * (then the point alone is silent: STALE), or when the gateway times out (offline: no STALE).
 * This keeps a dead gateway from raising one STALE per point in the minutes before its own
 * timeout, and a gateway that returns with a burst of spooled data from raising any.
 *
 * Cost: a reading writes two Float64Array slots; ticks only touch queue entries that come due
 * (deadline-queue.ts). Change timestamps are the evaluation clock.
 */
import type { AlarmSource, ConditionSink } from '../alarms/alarm-types.js';
import { ACTIVE, C_STALE, INACTIVE, UNKNOWN, type ConditionLedger } from './condition-ledger.js';
import { DeadlineQueue } from './deadline-queue.js';
import { gatewayKey, type EvaluatedGateway, type EvaluatedPoint } from './evaluated-point.js';
import { SAMPLE_TS, type SampleRegister } from './sample-register.js';

/** Per-point adoption marks for rearm(). */
export const NOT_ADOPTED = 0;
export const ADOPTED_SAME = 1;
export const ADOPTED_CHANGED = 2;

export class StalenessMonitor {
  readonly #ledger: ConditionLedger;
  readonly #sample: SampleRegister;
  readonly #sink: ConditionSink;
  #clock = -Infinity;
  #started = false;

  readonly #staleAfterMs: Float64Array;
  /** Evaluation-clock time at which the point goes stale if nothing arrives. */
  readonly #deadline: Float64Array;
  /** 1 while the point is stale (raised, or silent because its gateway is offline). */
  readonly #stale: Uint8Array;
  /** 1 while the point waits for its gateway's fate (see Attribution). */
  readonly #deferred: Uint8Array;
  readonly #gatewayOf: Int32Array;
  readonly #points: DeadlineQueue;

  readonly #gatewayIndex = new Map<string, number>();
  readonly #gatewaySources: AlarmSource[] = [];
  readonly #offlineAfterMs: Float64Array;
  readonly #lastSeen: Float64Array;
  readonly #offline: Uint8Array;
  /** Emitted GATEWAY_OFFLINE state (UNKNOWN / INACTIVE / ACTIVE). */
  readonly #gatewayState: Uint8Array;
  /** Deferred points per gateway. */
  readonly #deferredCount: Int32Array;
  /** 1 when a sign of life must do more than stamp lastSeen: offline, state unknown, deferred points. */
  readonly #attention: Uint8Array;
  // Points of gateway g: #members[#memberStart[g] … #memberStart[g+1]−1].
  readonly #memberStart: Int32Array;
  readonly #members: Int32Array;
  readonly #gateways: DeadlineQueue;
  /** 1 for a gateway whose last-seen time was seeded before the first tick (seedGateway). */
  readonly #seeded: Uint8Array;

  constructor(
    ledger: ConditionLedger,
    sample: SampleRegister,
    sink: ConditionSink,
    points: readonly EvaluatedPoint[],
    gateways: readonly EvaluatedGateway[],
  ) {
    this.#ledger = ledger;
    this.#sample = sample;
    this.#sink = sink;
    const n = points.length;
    const offlineAfter: number[] = [];
    const addGateway = (enterprise: string, gateway: string, offlineAfterMs: number): number => {
      const key = gatewayKey(enterprise, gateway);
      const known = this.#gatewayIndex.get(key);
      if (known !== undefined) return known;
      const g = offlineAfter.length;
      this.#gatewayIndex.set(key, g);
      this.#gatewaySources.push(Object.freeze({ kind: 'gateway', enterprise, gateway }));
      offlineAfter.push(offlineAfterMs);
      return g;
    };
    for (const gw of gateways) addGateway(gw.enterprise, gw.code, gw.offlineAfterMs);
    // A point naming a gateway absent from the list gets one that only the host can mark offline.
    this.#gatewayOf = Int32Array.from(points, (p) => addGateway(p.enterprise, p.gateway, 0));
    const gCount = offlineAfter.length;
    this.#offlineAfterMs = Float64Array.from(offlineAfter);
    this.#lastSeen = new Float64Array(gCount).fill(-Infinity);
    this.#offline = new Uint8Array(gCount);
    this.#gatewayState = new Uint8Array(gCount);
    this.#deferredCount = new Int32Array(gCount);
    this.#attention = new Uint8Array(gCount).fill(1);
    this.#gateways = new DeadlineQueue(gCount);
    this.#seeded = new Uint8Array(gCount);
    this.#memberStart = new Int32Array(gCount + 1);
    for (const g of this.#gatewayOf) this.#memberStart[g + 1]!++;
    for (let g = 0; g < gCount; g++) this.#memberStart[g + 1]! += this.#memberStart[g]!;
    this.#members = new Int32Array(n);
    const fill = this.#memberStart.slice(0, gCount);
    this.#gatewayOf.forEach((g, i) => {
      this.#members[fill[g]!++] = i;
    });

    this.#staleAfterMs = Float64Array.from(points, (p) => p.staleAfterMs);
    this.#deadline = new Float64Array(n).fill(-Infinity);
    this.#stale = new Uint8Array(n);
    this.#deferred = new Uint8Array(n);
    this.#points = new DeadlineQueue(n);
  }

  get clock(): number {
    return this.#clock;
  }

  get started(): boolean {
    return this.#started;
  }

  gatewayCount(): number {
    return this.#gatewaySources.length;
  }

  gatewayIndex(enterprise: string, gateway: string): number {
    return this.#gatewayIndex.get(gatewayKey(enterprise, gateway)) ?? -1;
  }

  /** (gateway key, index) pairs, for matching gateways across a reconfiguration. */
  gatewayEntries(): IterableIterator<[string, number]> {
    return this.#gatewayIndex.entries();
  }

  /** The point is stale: its own timeout ran out, or its gateway is offline. */
  isStale(i: number): boolean {
    return this.#stale[i] === 1 || this.#offline[this.#gatewayOf[i]!] === 1;
  }

  isGatewayOffline(g: number): boolean {
    return this.#offline[g] === 1;
  }

  /** Hot path: an in-order sample of point i arrived (register ts dates changes before the first tick). */
  arrived(i: number): void {
    const clock = this.#clock;
    this.#deadline[i] = clock + this.#staleAfterMs[i]!;
    const g = this.#gatewayOf[i]!;
    this.#lastSeen[g] = clock;
    // The rare path reads the clock itself: passing `clock` (a double) to a call here would make
    // the optimiser box it on every reading (sample-register.ts).
    if (this.#attention[g] !== 0 || this.#stale[i] !== 0 || this.#ledger.state(i, C_STALE) !== INACTIVE) {
      this.#attend(i, g);
    }
  }

  #attend(i: number, g: number): void {
    const at = this.#started ? this.#clock : this.#sample[SAMPLE_TS]!;
    if (this.#attention[g] !== 0) this.#gatewayAlive(g, at);
    if (this.#stale[i] !== 0 || this.#ledger.state(i, C_STALE) !== INACTIVE) this.#fresh(i, at);
  }

  /** Host: birth or heartbeat of a gateway, on the evaluation clock. */
  gatewayOnline(g: number, ts: number): void {
    if (ts > this.#lastSeen[g]!) this.#lastSeen[g] = ts;
    this.#gatewayAlive(g, ts);
  }

  /** Host: the gateway's last will (or the broker says it is gone), on the evaluation clock. */
  gatewayOffline(g: number, ts: number): void {
    if (this.#offline[g] === 1) return;
    this.#goOffline(g, ts);
  }

  /** Advance the evaluation clock; raise what came due. A clock going backwards is ignored. */
  tick(now: number): void {
    if (!(now >= this.#clock)) return;
    if (!this.#started) this.#start(now);
    this.#clock = now;
    // Gateways first, so that points due in the same tick see their gateway offline.
    const gq = this.#gateways;
    while (gq.peekDue() <= now) {
      const g = gq.pop();
      const due = this.#lastSeen[g]! + this.#offlineAfterMs[g]!;
      if (due > now) gq.schedule(g, due);
      else this.#goOffline(g, now);
    }
    const pq = this.#points;
    while (pq.peekDue() <= now) {
      const i = pq.pop();
      const g = this.#gatewayOf[i]!;
      if (this.#deferred[i] === 1) {
        this.#deferred[i] = 0;
        this.#deferredCount[g]!--;
        this.#refreshAttention(g);
      }
      const deadline = this.#deadline[i]!;
      if (deadline > now) {
        pq.schedule(i, deadline);
        continue;
      }
      if (this.#offline[g] === 1) {
        this.#stale[i] = 1; // silent: GATEWAY_OFFLINE covers it
        continue;
      }
      const offlineAfter = this.#offlineAfterMs[g]!;
      const lastSeen = this.#lastSeen[g]!;
      if (
        offlineAfter > 0 &&
        lastSeen < deadline &&
        (now - lastSeen) * 2 >= this.#staleAfterMs[i]! &&
        lastSeen + offlineAfter > now
      ) {
        this.#deferred[i] = 1;
        this.#deferredCount[g]!++;
        this.#attention[g] = 1;
        pq.schedule(i, lastSeen + offlineAfter);
        continue;
      }
      this.#stale[i] = 1;
      this.#ledger.set(i, C_STALE, true, now, null, this.#staleAfterMs[i]!);
    }
  }

  #refreshAttention(g: number): void {
    this.#attention[g] =
      this.#offline[g] === 1 || this.#gatewayState[g] !== INACTIVE || this.#deferredCount[g]! > 0 ? 1 : 0;
  }

  #start(now: number): void {
    this.#started = true;
    for (let i = 0; i < this.#deadline.length; i++) {
      const after = this.#staleAfterMs[i]!;
      if (after <= 0) continue;
      // A seeded deadline (seedPoint) stands; otherwise a full timeout from the first tick.
      if (this.#deadline[i] === -Infinity) this.#deadline[i] = now + after;
      this.#points.schedule(i, this.#deadline[i]!);
    }
    for (let g = 0; g < this.#offlineAfterMs.length; g++) {
      if (this.#offline[g] === 1) continue;
      if (this.#lastSeen[g]! < now && this.#seeded[g] === 0) this.#lastSeen[g] = now;
      this.#scheduleGateway(g);
    }
  }

  /**
   * Before the first tick (a takeover, issue #23): point i's last stored reading was at `lastMs`,
   * so its timeout runs from there, not from the first tick: a point silent since before the
   * takeover goes STALE when it would have under the previous owner (at the first tick when that
   * is already past). A sample arriving before the first tick supersedes the seed.
   */
  seedPoint(i: number, lastMs: number): void {
    const after = this.#staleAfterMs[i]!;
    if (this.#started || after <= 0 || !Number.isFinite(lastMs)) return;
    this.#deadline[i] = lastMs + after;
  }

  /**
   * Before the first tick: gateway g was last heard from at `lastSeenMs` (evaluation clock, e.g.
   * the stored gateway status), so its offline timeout runs from there.
   */
  seedGateway(g: number, lastSeenMs: number): void {
    if (this.#started || !Number.isFinite(lastSeenMs)) return;
    if (lastSeenMs > this.#lastSeen[g]!) this.#lastSeen[g] = lastSeenMs;
    this.#seeded[g] = 1;
  }

  #scheduleGateway(g: number): void {
    const after = this.#offlineAfterMs[g]!;
    if (this.#started && after > 0) this.#gateways.schedule(g, this.#lastSeen[g]! + after);
  }

  #fresh(i: number, ts: number): void {
    this.#stale[i] = 0;
    this.#ledger.set(i, C_STALE, false, ts, null, this.#staleAfterMs[i]!);
    if (this.#started && this.#staleAfterMs[i]! > 0) this.#points.schedule(i, this.#deadline[i]!);
  }

  #gatewayAlive(g: number, ts: number): void {
    const revived = this.#offline[g] === 1;
    this.#offline[g] = 0;
    if (revived || this.#deferredCount[g]! > 0) {
      for (let m = this.#memberStart[g]!, end = this.#memberStart[g + 1]!; m < end; m++) {
        const i = this.#members[m]!;
        const silent = this.#stale[i] === 1 && this.#ledger.state(i, C_STALE) !== ACTIVE;
        const deferred = this.#deferred[i] === 1;
        this.#deferred[i] = 0;
        if (revived && (silent || deferred)) {
          // Back online: a full timeout from now; individually raised STALEs stay raised.
          this.#stale[i] = 0;
          const after = this.#staleAfterMs[i]!;
          if (this.#started && after > 0) {
            this.#deadline[i] = Math.max(this.#deadline[i]!, ts + after);
            this.#points.schedule(i, this.#deadline[i]);
          }
        } else if (deferred) {
          // The gateway spoke after the point's deadline: judge the point at the next tick.
          this.#points.schedule(i, this.#clock);
        }
      }
      this.#deferredCount[g] = 0;
    }
    this.#scheduleGateway(g);
    this.#setGateway(g, false, ts);
    this.#refreshAttention(g);
  }

  #goOffline(g: number, ts: number): void {
    this.#offline[g] = 1;
    this.#attention[g] = 1;
    this.#gateways.remove(g);
    this.#setGateway(g, true, ts);
  }

  #setGateway(g: number, active: boolean, ts: number): void {
    const next = active ? ACTIVE : INACTIVE;
    if (this.#gatewayState[g] === next) return;
    this.#gatewayState[g] = next;
    this.#sink.change({
      source: this.#gatewaySources[g]!,
      condition: 'GATEWAY_OFFLINE',
      active,
      ts,
      value: null,
      limit: this.#offlineAfterMs[g]! > 0 ? this.#offlineAfterMs[g]! : null,
    });
  }

  /** Reconfiguration: carry the clock over before adopting anything. */
  adoptClock(from: StalenessMonitor): void {
    this.#clock = from.#clock;
    this.#started = from.#started;
  }

  adoptPoint(from: StalenessMonitor, fromPoint: number, toPoint: number): void {
    this.#deadline[toPoint] = from.#deadline[fromPoint]!;
    this.#stale[toPoint] = from.#stale[fromPoint]!;
  }

  adoptGateway(from: StalenessMonitor, fromGateway: number, toGateway: number): void {
    this.#lastSeen[toGateway] = from.#lastSeen[fromGateway]!;
    this.#offline[toGateway] = from.#offline[fromGateway]!;
    this.#gatewayState[toGateway] = from.#gatewayState[fromGateway]!;
    this.#refreshAttention(toGateway);
  }

  /**
   * After adoption: a new point, or one whose configuration changed (ADOPTED_CHANGED), gets a
   * full timeout from now; every live deadline is queued again.
   */
  rearm(adoptedPoints: Uint8Array, adoptedGateways: Uint8Array): void {
    if (!this.#started) return;
    for (let i = 0; i < this.#deadline.length; i++) {
      const after = this.#staleAfterMs[i]!;
      if (adoptedPoints[i] !== ADOPTED_SAME) this.#deadline[i] = this.#clock + after;
      if (after > 0 && this.#stale[i] === 0) this.#points.schedule(i, this.#deadline[i]!);
    }
    for (let g = 0; g < this.#offlineAfterMs.length; g++) {
      if (adoptedGateways[g] === 0) this.#lastSeen[g] = this.#clock;
      if (this.#offline[g] === 0) this.#scheduleGateway(g);
    }
  }

  /** A gateway left the configuration: clear its condition if raised. */
  retireGateway(g: number): void {
    if (this.#gatewayState[g] === ACTIVE) this.#setGateway(g, false, Math.max(this.#clock, 0));
    this.#gatewayState[g] = UNKNOWN;
  }
}
