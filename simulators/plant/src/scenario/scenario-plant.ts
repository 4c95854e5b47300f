/**
 * The scenario's plant as a `PointValueSource` (signal.ts): the MQTT fleet asks it for each
 * point's reading at each tick, and it answers from the plant models, the sensor faults active
 * at that moment and, for points no model claims, normal operation.
 *
 * Per reading: true value (model channel, or gas background + plume) → sensor noise → faults →
 * clamp to the transmitter's saturation limits → quantise to its resolution → timestamp = tick + per-point
 * sample jitter + the gateway's clock skew. All randomness comes from streams seeded by the
 * scenario seed and stable names, and simulated time is measured from `epochMs`, so the same
 * scenario and seed give the same values whatever the wall-clock date of the run.
 */
import type { Reading } from '@hazardwatch/contracts';
import { SimulatorError } from '../errors.js';
import { rngFor, type Rng } from '../prng.js';
import { NormalOperation, roundToStep, signalProfile, type PointValueSource } from '../signal.js';
import type { SimulatedPoint, SimulatedSite } from '../site-points.js';
import { FaultMemory, type SensorFault } from '../plant/sensor-faults.js';
import { advancePlant, incidentActive } from './plant-step.js';
import { bindPlant, pointKey, type Binding, type PlantBinding } from './plant-bindings.js';
import type { Incident, Scenario } from './scenario-schema.js';

/** Measurement noise of model-driven points, as a fraction of the range span (σ). */
const NOISE_FRACTION = 0.0005;
/**
 * A 4–20 mA transmitter saturates at 3.8 / 20.5 mA (NAMUR NE 43): readings can leave the range
 * by −1.25 % / +3.125 % of span (a spike or drift past full scale shows as out of range), no more.
 */
const SATURATION_LOW = 0.0125;
const SATURATION_HIGH = 0.03125;

interface PointState {
  readonly step: number;
  readonly noise: number;
  readonly rng: Rng;
  readonly faults: FaultMemory;
}

export class ScenarioPlant implements PointValueSource {
  readonly binding: PlantBinding;
  private readonly normal: NormalOperation;
  private readonly states = new Map<string, PointState>();
  private readonly faultsByPoint = new Map<string, SensorFault[]>();
  private readonly skews: ReadonlyArray<Extract<Incident, { type: 'clock_skew' }>>;
  private advancedMs = 0;

  /** @throws SimulatorError HW_SIM_SCENARIO_INVALID when the scenario does not fit the site */
  constructor(
    readonly scenario: Scenario,
    readonly site: SimulatedSite,
    /** Simulated time 0 of the scenario, ms UTC. */
    readonly epochMs: number,
  ) {
    this.binding = bindPlant(scenario, site);
    if (this.binding.issues.length > 0) {
      throw new SimulatorError('HW_SIM_SCENARIO_INVALID', {
        file: scenario.name,
        count: this.binding.issues.length,
        issues: this.binding.issues,
      });
    }
    this.normal = new NormalOperation(scenario.seed);
    for (const inc of scenario.timeline) {
      const fault = sensorFault(inc, site);
      if (fault === undefined || !('tag' in inc)) continue;
      const key = pointKey(inc.enterprise, inc.tag);
      this.faultsByPoint.set(key, [...(this.faultsByPoint.get(key) ?? []), fault]);
    }
    this.skews = scenario.timeline.filter(
      (i): i is Extract<Incident, { type: 'clock_skew' }> => i.type === 'clock_skew',
    );
  }

  valueAt(point: SimulatedPoint, tsMs: number): number {
    return this.sampleAt(point, tsMs).value;
  }

  sampleAt(point: SimulatedPoint, tickMs: number): Reading {
    const elapsed = tickMs - this.epochMs;
    this.advanceTo(elapsed);
    const key = pointKey(point.enterprise, point.tag);
    const state = this.stateOf(point, key);
    const binding = this.binding.bindings.get(key);
    let value =
      binding === undefined
        ? this.normal.valueAt(point, tickMs)
        : binding.model === 'detector'
          ? this.normal.valueAt(point, tickMs) + binding.detector.reading
          : trueValue(binding, elapsed) + state.noise * state.rng.normal();
    const faults = (this.faultsByPoint.get(key) ?? []).filter((f) => activeFault(f, this.scenario, elapsed));
    if (faults.length > 0) value = state.faults.apply(value, faults, elapsed, state.rng);
    const span = point.range.max - point.range.min;
    // A healthy transmitter reads inside its range; only a faulted one is driven past it.
    const faulted = faults.length > 0;
    const lo = point.range.min - (faulted ? SATURATION_LOW * span : 0);
    const hi = point.range.max + (faulted ? SATURATION_HIGH * span : 0);
    value = roundToStep(Math.min(hi, Math.max(lo, value)), state.step);
    const jitterMax = Math.min(this.scenario.sampleJitterMs, this.scenario.tickSec * 1000 - 1);
    const jitter = jitterMax > 0 ? Math.floor(state.rng.next() * jitterMax) : 0;
    return {
      tag: point.tag,
      ts: Math.max(0, Math.round(tickMs + jitter + this.skewMs(point, elapsed))),
      value,
    };
  }

  /** Steps every model up to `elapsedMs` (only forward; each tick advances the plant once). */
  advanceTo(elapsedMs: number): void {
    if (elapsedMs <= this.advancedMs) return;
    advancePlant(this.binding.plants, this.scenario.timeline, this.advancedMs, elapsedMs);
    this.advancedMs = elapsedMs;
  }

  private skewMs(point: SimulatedPoint, elapsed: number): number {
    let offset = 0;
    for (const s of this.skews) {
      if (s.enterprise === point.enterprise && s.gateway === point.gateway && incidentActive(s, elapsed)) {
        offset += s.offsetSec * 1000;
      }
    }
    return offset;
  }

  private stateOf(point: SimulatedPoint, key: string): PointState {
    let state = this.states.get(key);
    if (state === undefined) {
      state = {
        step: signalProfile(point).step,
        noise: NOISE_FRACTION * (point.range.max - point.range.min),
        rng: rngFor(this.scenario.seed, 'sensor', point.enterprise, point.tag),
        faults: new FaultMemory(),
      };
      this.states.set(key, state);
    }
    return state;
  }
}

function trueValue(binding: Exclude<Binding, { model: 'detector' }>, elapsed: number): number {
  switch (binding.model) {
    case 'tank':
      return binding.read(binding.tank.outputs());
    case 'reactor':
      return binding.read(binding.reactor.outputs());
    case 'weather': {
      const w = binding.plant.weather.at(elapsed);
      if (binding.channel === 'windSpeed') return w.speedMs;
      if (binding.channel === 'windDirection') return w.fromDeg;
      if (binding.channel === 'airTemperature') return w.airTempC;
      return w.humidityPct;
    }
  }
}

function activeFault(f: SensorFault, scenario: Scenario, elapsed: number): boolean {
  const inc = scenario.timeline.find((i) => i.id === f.id);
  return inc !== undefined && incidentActive(inc, elapsed);
}

function sensorFault(inc: Incident, site: SimulatedSite): SensorFault | undefined {
  const sinceMs = inc.atSec * 1000;
  switch (inc.type) {
    case 'sensor_drift':
      return { kind: 'drift', id: inc.id, sinceMs, ratePerMin: inc.ratePerMin };
    case 'sensor_stuck':
      return { kind: 'stuck', id: inc.id, sinceMs, ...(inc.value !== undefined ? { value: inc.value } : {}) };
    case 'sensor_spike':
      return { kind: 'spike', id: inc.id, sinceMs, value: inc.value, samples: inc.samples ?? 1 };
    case 'noise_burst':
      return { kind: 'noise_burst', id: inc.id, sinceMs, stdDev: inc.stdDev };
    case 'flapping': {
      const point = site.points.find((p) => p.enterprise === inc.enterprise && p.tag === inc.tag);
      const around = typeof inc.around === 'number' ? inc.around : (point?.limits[inc.around] ?? 0);
      return {
        kind: 'flapping',
        id: inc.id,
        sinceMs,
        around,
        amplitude: inc.amplitude,
        periodMs: inc.periodSec * 1000,
      };
    }
    default:
      return undefined;
  }
}
