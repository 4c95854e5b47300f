/**
 * Plays a scenario against a running system over MQTT: the scenario's plant (scenario-plant.ts)
 * is the value source of an `MqttFleet`, whose gateways publish with the topic contract; the
 * runner drives the ticks itself and puts the timeline's transport faults into effect (power
 * loss, network outage with spool replay or loss, bursts of bad payloads). Process incidents and
 * sensor faults act inside the plant at their exact simulated times.
 *
 * Modes:
 * - realtime: one tick per tick interval of wall time (hardware-in-the-loop, demos). Simulated
 *   time = wall time by default.
 * - fast: ticks as fast as the broker acknowledges them. Timestamps are simulated, not wall
 *   clock: simulated time 0 defaults to wall now − duration − one tick, so the whole run lies in
 *   the recent past and passes the platform's max-age and future-skew checks (defaults 7 days and
 *   5 min). The platform's limit, on-delay and rate-of-change evaluation runs on source
 *   timestamps and sees the scenario exactly as in real time; staleness and gateway-offline run
 *   on the platform's own clock, so STALE from silence cannot be provoked in fast mode (mark such
 *   expectations `modes: [realtime]`). GATEWAY_OFFLINE from a death message works in both.
 *   The platform evaluates samples older than the newest it has for a point apart, as late alarms
 *   (a network outage with `replayOrder: live_first` provokes them on purpose): consecutive fast
 *   runs on the same points need disjoint time ranges — see `planFastEpochs`.
 *
 * Determinism: same scenario + seed ⇒ same readings (values and timestamps relative to the
 * epoch), whatever the mode or the wall clock.
 */
import type { Logger } from 'pino';
import { SimulatorError } from '../errors.js';
import { ManualClock } from '@hazardwatch/kit';
import { MqttFleet, type FleetTimers } from '../mqtt-fleet.js';
import type { FleetOptionsInput } from '../fleet-options.js';
import type { LoadedScenario } from '../scenario/scenario-load.js';
import { ScenarioPlant } from '../scenario/scenario-plant.js';
import type { Incident, RunMode } from '../scenario/scenario-schema.js';
import { badPayload } from './bad-payloads.js';
import type { IncidentEvent, IncidentRecord, RunTimeline } from './run-timeline.js';

export interface RunScenarioOptions {
  readonly mqttUrl: string;
  readonly mode: RunMode;
  readonly logger: Logger;
  /** Called as each incident starts and ends. */
  readonly onIncident?: (event: IncidentEvent) => void;
  /** Simulated time 0 (ms UTC). @default realtime: wall now; fast: wall now − duration − one tick */
  readonly startEpochMs?: number;
  /** @default Date.now */
  readonly wallClock?: () => number;
  /** Waits in real-time mode. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stops the run early (the timeline then ends at the last tick played). */
  readonly signal?: AbortSignal;
  /** Broker credentials, client id prefix, protocol version. */
  readonly fleet?: Omit<FleetOptionsInput, 'url' | 'tickIntervalMs' | 'seed' | 'heartbeatEveryTicks'>;
}

/** The fleet's own interval is never used: the runner calls `tick()`. */
const noTimers: FleetTimers = new ManualClock();
const defaultSleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, Math.max(0, ms)));

/** Runs a loaded scenario to its end. @throws SimulatorError (connect, scenario/site mismatch) */
export async function runScenario(loaded: LoadedScenario, options: RunScenarioOptions): Promise<RunTimeline> {
  return new ScenarioRunner(loaded, options).run();
}

/**
 * Simulated start times for fast runs played one after another on the same system, so their time
 * ranges do not overlap and all lie in the past at `nowMs`: [epoch, epoch + duration] each, in order.
 */
export function planFastEpochs(durationsSec: readonly number[], nowMs: number, gapMs = 60_000): number[] {
  const total = durationsSec.reduce((s, d) => s + d * 1000 + gapMs, 0);
  let t = nowMs - total;
  return durationsSec.map((d) => {
    const epoch = t;
    t += d * 1000 + gapMs;
    return epoch;
  });
}

export class ScenarioRunner {
  readonly plant: ScenarioPlant;
  readonly fleet: MqttFleet;
  readonly epochMs: number;
  private readonly log: Logger;
  private readonly wall: () => number;
  private readonly tickMs: number;
  private simNow: number;
  private state: 'ready' | 'running' | 'done' = 'ready';
  private readonly records = new Map<string, { -readonly [K in keyof IncidentRecord]: IncidentRecord[K] }>();

  constructor(
    readonly loaded: LoadedScenario,
    readonly options: RunScenarioOptions,
  ) {
    const { scenario } = loaded;
    this.wall = options.wallClock ?? Date.now;
    this.tickMs = Math.round(scenario.tickSec * 1000);
    const durationMs = scenario.durationSec * 1000;
    this.epochMs =
      options.startEpochMs ??
      (options.mode === 'fast' ? this.wall() - durationMs - this.tickMs : this.wall());
    this.simNow = this.epochMs;
    this.log = options.logger.child({
      component: 'sim-scenario',
      scenario: scenario.name,
      mode: options.mode,
    });
    this.plant = new ScenarioPlant(scenario, loaded.site, this.epochMs);
    this.fleet = new MqttFleet(
      {
        ...options.fleet,
        url: options.mqttUrl,
        tickIntervalMs: Math.max(10, this.tickMs),
        seed: scenario.seed,
        heartbeatEveryTicks: Math.max(1, Math.round(scenario.heartbeatEverySec / scenario.tickSec)),
      },
      {
        site: loaded.site,
        logger: options.logger,
        clock: () => this.simNow,
        timers: noTimers,
        values: this.plant,
      },
    );
  }

  async run(): Promise<RunTimeline> {
    if (this.state !== 'ready')
      throw new SimulatorError('HW_SIM_SCENARIO_STATE', { action: 'run', state: this.state });
    this.state = 'running';
    const { scenario } = this.loaded;
    const sleep = this.options.sleep ?? defaultSleep;
    const ticks = Math.floor((scenario.durationSec * 1000) / this.tickMs);
    await this.fleet.start();
    const startedWallMs = this.wall();
    this.log.info({ epochMs: this.epochMs, ticks }, 'scenario started');
    let played = 0;
    let endedWallMs = startedWallMs;
    try {
      for (let k = 0; k <= ticks; k++) {
        if (this.options.signal?.aborted === true) break;
        const elapsed = k * this.tickMs;
        if (this.options.mode === 'realtime') await sleep(startedWallMs + elapsed - this.wall());
        this.simNow = this.epochMs + elapsed;
        await this.applyEdges(k === 0 ? -1 : elapsed - this.tickMs, elapsed);
        await this.fleet.tick();
        played = k + 1;
        endedWallMs = this.wall();
      }
    } finally {
      await this.fleet.stop();
      this.state = 'done';
    }
    const timeline: RunTimeline = {
      scenario: scenario.name,
      mode: this.options.mode,
      seed: scenario.seed,
      epochMs: this.epochMs,
      endMs: this.simNow,
      startedWallMs,
      endedWallMs,
      ticks: played,
      incidents: [...this.records.values()].map((r) => ({ ...r })),
      counters: this.fleet.counters,
    };
    this.log.info({ ticks: played, counters: timeline.counters }, 'scenario finished');
    return timeline;
  }

  /** Incident starts and ends in (fromElapsed, toElapsed], in time order. */
  private async applyEdges(fromElapsed: number, toElapsed: number): Promise<void> {
    const edges: { at: number; phase: 'start' | 'end'; inc: Incident }[] = [];
    for (const inc of this.loaded.scenario.timeline) {
      const start = inc.atSec * 1000;
      if (start > fromElapsed && start <= toElapsed) edges.push({ at: start, phase: 'start', inc });
      if (inc.durationSec !== undefined) {
        const end = start + inc.durationSec * 1000;
        if (end > fromElapsed && end <= toElapsed) edges.push({ at: end, phase: 'end', inc });
      }
    }
    edges.sort((a, b) => a.at - b.at || (a.phase === b.phase ? 0 : a.phase === 'end' ? -1 : 1));
    for (const edge of edges) await this.applyEdge(edge.inc, edge.phase, this.epochMs + edge.at);
  }

  private async applyEdge(inc: Incident, phase: 'start' | 'end', simMs: number): Promise<void> {
    const fleet = this.fleet;
    switch (inc.type) {
      case 'gateway_power_loss':
        if (phase === 'start') await fleet.powerOff(inc.enterprise, inc.gateway);
        else await fleet.powerOn(inc.enterprise, inc.gateway);
        break;
      case 'network_outage':
        if (phase === 'start') {
          fleet.holdTelemetry(inc.enterprise, inc.gateway, {
            ...(inc.spoolMaxBatches !== undefined ? { maxBatches: inc.spoolMaxBatches } : {}),
          });
        } else {
          await fleet.releaseTelemetry(inc.enterprise, inc.gateway, inc.spool === 'replay', {
            liveFirst: inc.replayOrder === 'live_first',
          });
        }
        break;
      case 'source_outage':
        fleet.setSourceDown(inc.enterprise, inc.gateway, phase === 'start');
        break;
      case 'bad_payloads':
        if (phase === 'start') {
          const gw = this.loaded.site.gateways.find(
            (g) => g.enterprise === inc.enterprise && g.code === inc.gateway,
          );
          const tag = gw?.points[0]?.tag ?? 'TAG';
          for (let n = 0; n < inc.count; n++) {
            await fleet.publishRaw(
              inc.enterprise,
              inc.gateway,
              'telemetry',
              badPayload(inc.kinds, n, simMs, tag),
            );
          }
        }
        break;
      default:
        break; // process incidents and sensor faults act inside the plant
    }
    const wallMs = this.wall();
    const record = this.records.get(inc.id);
    if (phase === 'start' || record === undefined) {
      this.records.set(inc.id, {
        id: inc.id,
        type: inc.type,
        enterprise: inc.enterprise,
        startMs: simMs,
        endMs: undefined,
        startWallMs: wallMs,
        endWallMs: undefined,
      });
    } else {
      record.endMs = simMs;
      record.endWallMs = wallMs;
    }
    this.log.info({ incident: inc.id, type: inc.type, phase, simMs }, 'incident');
    this.options.onIncident?.({ id: inc.id, type: inc.type, phase, simMs, wallMs });
  }
}
