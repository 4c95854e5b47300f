/**
 * Per-point signal in normal operation: a bounded, mean-reverting random walk (Ornstein–Uhlenbeck
 * process) around a normal operating value, plus measurement noise and the instrument's
 * quantisation. There is no clock inside: the caller passes simulated time, so a run is a pure
 * function of (seed, point, sequence of times).
 *
 * Normal operation never reaches an alarm limit: the walk lives in a band kept a margin inside
 * the limits (and inside the range), and every published value is clamped into that band.
 * Excursions belong to scenarios (a later issue), which replace or steer this model.
 */
import type { Reading } from '@hazardwatch/contracts';
import { SimulatorError } from './errors.js';
import { rngFor, type Rng } from './prng.js';
import type { PointLimits, SimulatedPoint } from './site-points.js';

/** What the model needs of a point. */
export type SignalPoint = Pick<SimulatedPoint, 'kind' | 'unit' | 'range' | 'limits'>;

/** All values in the point's unit unless the name says otherwise. */
export interface SignalProfile {
  /** Normal operating value μ the walk reverts to. */
  readonly normal: number;
  /** Stationary standard deviation of the process around `normal`. */
  readonly stdDev: number;
  /** Mean-reversion time constant τ (ms): a deviation decays to 1/e in τ. */
  readonly timeConstantMs: number;
  /** Standard deviation of white measurement noise added to each reading. */
  readonly noiseStdDev: number;
  /** Quantisation step (instrument resolution); > 0. */
  readonly step: number;
  /** Band of normal operation: every reading lies in [min, max] (both multiples of `step`). */
  readonly min: number;
  readonly max: number;
}

/** Fraction of the limit-to-limit span kept clear of each limit in normal operation. */
const LIMIT_MARGIN = 0.1;

const GAS_KINDS = new Set(['combustible_gas', 'toxic_gas', 'open_path_gas']);

/** Mean-reversion time constants by kind (ms): slow thermal and level loops, fast flow and wind. */
const TIME_CONSTANT_MS: Readonly<Record<string, number>> = {
  temperature: 600_000,
  level: 900_000,
  pressure: 600_000,
  flow: 20_000,
  valve_position: 60_000,
  humidity: 600_000,
  wind_speed: 10_000,
  wind_direction: 30_000,
  combustible_gas: 30_000,
  toxic_gas: 30_000,
  open_path_gas: 30_000,
  oxygen: 120_000,
};
const DEFAULT_TIME_CONSTANT_MS = 60_000;

/** GB/T 50493-2019 §5.5.2 oxygen defaults (%VOL), used when the site gives no O₂ limits. */
const OXYGEN_DEFAULT_LIMITS: PointLimits = { l: 19.5, h: 23.5 };
/** Normal air, %VOL. */
const AIR_OXYGEN_PCT_VOL = 20.9;
/** Ambient temperature, °C. */
const AMBIENT_C = 25;

/**
 * The normal-operation profile of a point, chosen from its kind, range and limits:
 * - process values (temperature, pressure, level, flow, …): midway between the low and high
 *   limits (the range end where a side has no limit), σ = a sixth of the way to the nearer band edge;
 *   a temperature in °C with only high limits sits at 25 °C ambient when that is in the band;
 * - gas detectors (%LEL, mg/m³, LEL·m): background near the bottom of the range with small noise,
 *   never above 10 % of the range;
 * - oxygen: 20.9 %VOL, between the site's limits or the GB/T 50493-2019 defaults;
 * - valve position: around the middle of its (0–100 %) band.
 * `overrides` replace any field after the choice (scenarios, tests).
 */
export function signalProfile(point: SignalPoint, overrides: Partial<SignalProfile> = {}): SignalProfile {
  const { min: rMin, max: rMax } = point.range;
  const span = rMax - rMin;
  const limits = usesOxygenDefaults(point) ? OXYGEN_DEFAULT_LIMITS : point.limits;
  const low = maxDefined(limits.ll, limits.l);
  const high = minDefined(limits.h, limits.hh);
  const lo0 = Math.max(rMin, low ?? rMin);
  const hi0 = Math.min(rMax, high ?? rMax);
  const margin = LIMIT_MARGIN * Math.max(hi0 - lo0, 0);
  let lo = low === undefined ? lo0 : lo0 + margin;
  let hi = high === undefined ? hi0 : hi0 - margin;
  if (GAS_KINDS.has(point.kind)) hi = Math.min(hi, rMin + 0.1 * span);
  if (!(lo < hi)) lo = hi = Math.min(rMax, Math.max(rMin, (lo0 + hi0) / 2)); // inconsistent limits: hold still

  // O₂ analysers read to 0.1 %VOL; any other range gets a resolution from its span.
  let step = overrides.step ?? (point.kind === 'oxygen' && span >= 20 ? 0.1 : resolutionFor(span));
  // A band narrower than the instrument step: resolve finer rather than round onto a limit.
  while (
    overrides.step === undefined &&
    step > 1e-9 &&
    lo < hi &&
    quantiseInward(lo, step, 'up') > quantiseInward(hi, step, 'down')
  ) {
    step = Number((step / 10).toPrecision(1));
  }
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  let normal = mid;
  if (
    point.kind === 'temperature' &&
    low === undefined &&
    isCelsius(point.unit) &&
    inside(AMBIENT_C, lo, hi)
  ) {
    normal = AMBIENT_C; // a vessel with only a high limit sits near ambient, not at the range bottom
  }
  // Three σ to the nearer band edge: the clamp is touched rarely, the trace looks free. A
  // controlled process variable at steady state wanders about 1 % of its span at most, with
  // transmitter noise near 0.05 % of span; larger swings would trip any sensible rate-of-change
  // rule in normal operation (a scenario found the reactor's 0.1 MPa/min rule firing on noise).
  let stdDev = Math.min(Math.min(normal - lo, hi - normal) / 6, 0.01 * span);
  let noiseStdDev = Math.min(stdDev / 8, 0.0005 * span);
  if (GAS_KINDS.has(point.kind)) {
    normal = Math.max(lo, rMin + 0.005 * span);
    stdDev = 0.004 * span;
    noiseStdDev = 0.002 * span;
  } else if (point.kind === 'oxygen') {
    normal = inside(AIR_OXYGEN_PCT_VOL, lo, hi) ? AIR_OXYGEN_PCT_VOL : mid;
    stdDev = Math.min(0.05, half / 6);
    noiseStdDev = Math.min(0.03, half / 50);
  } else if (point.kind === 'valve_position') {
    stdDev = Math.min(0.04 * span, half / 4);
    noiseStdDev = 0.001 * span;
  }

  const profile: SignalProfile = {
    normal,
    stdDev,
    timeConstantMs: TIME_CONSTANT_MS[point.kind] ?? DEFAULT_TIME_CONSTANT_MS,
    noiseStdDev,
    step,
    min: quantiseInward(lo, step, 'up'),
    max: quantiseInward(hi, step, 'down'),
    ...overrides,
  };
  if (profile.min > profile.max) return { ...profile, min: profile.max, normal: profile.max }; // zero-width band
  return profile;
}

/** One point's signal. Time only moves forward; asking again for the same time returns the same value. */
export class PointSignal {
  readonly profile: SignalProfile;
  private readonly rng: Rng;
  private state: number;
  private lastMs: number;
  private lastValue: number;

  constructor(profile: SignalProfile, rng: Rng, startMs: number) {
    checkProfile(profile);
    this.profile = Object.freeze({ ...profile });
    this.rng = rng;
    // Start from the stationary distribution, so the first minutes look like the rest.
    this.state = this.clamp(profile.normal + profile.stdDev * rng.normal());
    this.lastMs = startMs;
    this.lastValue = this.observe();
  }

  /** The last reading. */
  get value(): number {
    return this.lastValue;
  }

  /** Advances the process to simulated time `tMs` (ms) and returns the reading there. */
  valueAt(tMs: number): number {
    const dtMs = tMs - this.lastMs;
    if (!(dtMs > 0)) return this.lastValue;
    const { normal, stdDev, timeConstantMs } = this.profile;
    // Exact OU transition over dt: the stationary σ holds whatever the tick interval.
    const decay = Math.exp(-dtMs / timeConstantMs);
    const shock = stdDev * Math.sqrt(1 - decay * decay) * this.rng.normal();
    this.state = this.clamp(normal + (this.state - normal) * decay + shock);
    this.lastMs = tMs;
    this.lastValue = this.observe();
    return this.lastValue;
  }

  private observe(): number {
    const { noiseStdDev, step } = this.profile;
    const noisy = this.state + (noiseStdDev > 0 ? noiseStdDev * this.rng.normal() : 0);
    return roundToStep(this.clamp(noisy), step);
  }

  private clamp(x: number): number {
    return Math.min(this.profile.max, Math.max(this.profile.min, x));
  }
}

/** Where a simulator gets each point's value at a simulated time; scenarios plug in here. */
export interface PointValueSource {
  valueAt(point: SimulatedPoint, tsMs: number): number;
  /**
   * Optional richer form, preferred by the fleet when present: the whole reading for the tick at
   * `tickMs` (its own source timestamp, e.g. with sample jitter or a skewed device clock, and a
   * quality), or `undefined` when the device produced no sample this tick.
   */
  sampleAt?(point: SimulatedPoint, tickMs: number): Reading | undefined;
}

/**
 * Normal operation for every point: one `PointSignal` per point, each with its own random
 * stream derived from the root seed and `enterprise/tag`, started at the first time it is asked.
 */
export class NormalOperation implements PointValueSource {
  private readonly signals = new Map<string, PointSignal>();

  constructor(private readonly seed: number | string) {}

  valueAt(point: SimulatedPoint, tsMs: number): number {
    return this.signalFor(point, tsMs).valueAt(tsMs);
  }

  /** The point's signal, created on first use (started at `startMs`). */
  signalFor(point: SimulatedPoint, startMs: number): PointSignal {
    const key = `${point.enterprise}/${point.tag}`;
    let signal = this.signals.get(key);
    if (signal === undefined) {
      signal = new PointSignal(signalProfile(point), rngFor(this.seed, point.enterprise, point.tag), startMs);
      this.signals.set(key, signal);
    }
    return signal;
  }
}

/** A 1-2-5 resolution about 1/2000 of the range: 0–200 °C ⇒ 0.1, 0–2.5 MPa ⇒ 0.001. */
export function resolutionFor(span: number): number {
  const raw = span / 2000;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const decade = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / decade;
  return Number(((mantissa >= 5 ? 5 : mantissa >= 2 ? 2 : 1) * decade).toPrecision(1));
}

/** Rounds to a multiple of `step` without binary fractions leaking out (0.1 + 0.2 style). */
export function roundToStep(x: number, step: number): number {
  return Number((Math.round(x / step) * step).toFixed(decimalsOf(step)));
}

/** The multiple of `step` nearest to `x` on the inside (up: ≥ x, down: ≤ x), as printed. */
function quantiseInward(x: number, step: number, direction: 'up' | 'down'): number {
  const decimals = decimalsOf(step);
  const at = (k: number): number => Number((k * step).toFixed(decimals));
  let k = direction === 'up' ? Math.ceil(x / step) : Math.floor(x / step);
  // Floating error in x / step or in the printed multiple may land one step outside: step back in.
  if (direction === 'up') while (at(k) < x) k++;
  else while (at(k) > x) k--;
  return at(k);
}

function decimalsOf(step: number): number {
  return Math.min(12, Math.max(0, -Math.floor(Math.log10(step)) + 2));
}

function inside(x: number, lo: number, hi: number): boolean {
  return x > lo && x < hi;
}

function isCelsius(unit: string): boolean {
  return unit === '°C' || unit === '℃' || unit === 'C';
}

/** O₂ channels without limits get the standard's defaults, when the range can show them. */
function usesOxygenDefaults(point: SignalPoint): boolean {
  const { l, h } = OXYGEN_DEFAULT_LIMITS;
  return (
    point.kind === 'oxygen' &&
    !hasLimits(point.limits) &&
    l !== undefined &&
    h !== undefined &&
    point.range.min < l &&
    point.range.max > h
  );
}

function hasLimits(limits: PointLimits): boolean {
  return (
    limits.ll !== undefined || limits.l !== undefined || limits.h !== undefined || limits.hh !== undefined
  );
}

function maxDefined(...xs: Array<number | undefined>): number | undefined {
  const defined = xs.filter((x): x is number => x !== undefined);
  return defined.length === 0 ? undefined : Math.max(...defined);
}

function minDefined(...xs: Array<number | undefined>): number | undefined {
  const defined = xs.filter((x): x is number => x !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
}

function checkProfile(p: SignalProfile): void {
  const issues: string[] = [];
  const finite = (name: keyof SignalProfile) => {
    if (!Number.isFinite(p[name])) issues.push(`${name} must be finite`);
  };
  (['normal', 'stdDev', 'timeConstantMs', 'noiseStdDev', 'step', 'min', 'max'] as const).forEach(finite);
  if (!(p.step > 0)) issues.push('step must be > 0');
  if (!(p.timeConstantMs > 0)) issues.push('timeConstantMs must be > 0');
  if (p.stdDev < 0 || p.noiseStdDev < 0) issues.push('standard deviations must be ≥ 0');
  if (p.min > p.max) issues.push('min must not exceed max');
  if (issues.length > 0) throw new SimulatorError('HW_SIM_SIGNAL_INVALID', { issues });
}
