/**
 * Faults a gateway reports about itself, beside its liveness (staleness-monitor.ts; ARCHITECTURE
 * "Faults are facts: a gateway's heartbeat is a sign of life and a source outage a source fault;
 * a `data_loss` report becomes a stored event and an alarm"). Data-quality conditions on the
 * gateway source, coloured by the colour policy (blue by default):
 *
 * - SOURCE_DOWN: the collector's heartbeat lists its sources (OPC-UA, Modbus, MQTT bridge) with
 *   their state; one that is not `connected` in two reports in a row is down (a single report of
 *   `connecting` is a source starting up or reconnecting once). Raised once per gateway, value =
 *   sources down; cleared by a report where every source is connected. The gateway itself stays
 *   online (its heartbeats arrive), and its silent points go STALE on their own timeouts: the
 *   operator sees which points are blind and why, instead of a false GATEWAY_OFFLINE.
 * - DATA_LOSS: the gateway's bounded spool dropped readings it could not keep. A report is an
 *   event that already happened, so the condition is raised and returned to normal at once: the
 *   alarm is RTNUN and stays in the console until acknowledged (ISA-18.2 B→D), without colouring
 *   the roll-up now. Value = readings lost; the span of source time is stored with the report.
 *
 * Times are the evaluation clock (when the report arrived), like staleness.
 */
import type { AlarmSource, ConditionSink } from '../alarms/alarm-types.js';
import { gatewayKey } from './evaluated-point.js';

/** A source as a heartbeat reports it (GatewaySourceStatus in @hazardwatch/contracts). */
export interface ReportedSource {
  readonly name: string;
  readonly state: string;
}

/** The one healthy source state of the edge collector (edge/collector SourceState). */
const CONNECTED = 'connected';

/** Emitted SOURCE_DOWN state; UNKNOWN after start-up, so the first report's verdict is emitted. */
const UNKNOWN = 0;
const INACTIVE = 1;
const ACTIVE = 2;

interface GatewayFaultState {
  readonly source: AlarmSource;
  /** The previous report had a source down. */
  downBefore: boolean;
  emitted: number;
}

export class GatewayFaults {
  readonly #sink: ConditionSink;
  readonly #byKey = new Map<string, GatewayFaultState>();

  constructor(sink: ConditionSink) {
    this.#sink = sink;
  }

  #state(enterprise: string, gateway: string): GatewayFaultState {
    const key = gatewayKey(enterprise, gateway);
    let s = this.#byKey.get(key);
    if (s === undefined) {
      s = {
        source: Object.freeze({ kind: 'gateway', enterprise, gateway }),
        downBefore: false,
        emitted: UNKNOWN,
      };
      this.#byKey.set(key, s);
    }
    return s;
  }

  /** A heartbeat (or birth) listing the gateway's sources, at evaluation-clock `ts`. */
  sources(enterprise: string, gateway: string, sources: readonly ReportedSource[], ts: number): void {
    const s = this.#state(enterprise, gateway);
    let down = 0;
    for (const src of sources) if (src.state !== CONNECTED) down++;
    if (down === 0) {
      s.downBefore = false;
      // Restart semantics: the first all-connected report clears one left open by a previous run.
      if (s.emitted !== INACTIVE) this.#set(s, false, ts, 0);
      return;
    }
    if (s.downBefore && s.emitted !== ACTIVE) this.#set(s, true, ts, down);
    s.downBefore = true;
  }

  /** The gateway reported `readings` dropped by its spool, at evaluation-clock `ts`. */
  dataLoss(enterprise: string, gateway: string, readings: number, ts: number): void {
    const source = this.#state(enterprise, gateway).source;
    this.#sink.change({ source, condition: 'DATA_LOSS', active: true, ts, value: readings, limit: null });
    this.#sink.change({ source, condition: 'DATA_LOSS', active: false, ts, value: readings, limit: null });
  }

  /** Gateways no longer configured: their SOURCE_DOWN is cleared and forgotten. */
  retain(keep: ReadonlySet<string>, ts: number): void {
    for (const [key, s] of this.#byKey) {
      if (keep.has(key)) continue;
      if (s.emitted === ACTIVE) this.#set(s, false, ts, 0);
      this.#byKey.delete(key);
    }
  }

  #set(s: GatewayFaultState, active: boolean, ts: number, down: number): void {
    s.emitted = active ? ACTIVE : INACTIVE;
    this.#sink.change({ source: s.source, condition: 'SOURCE_DOWN', active, ts, value: down, limit: null });
  }
}
