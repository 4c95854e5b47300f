/**
 * Site weather as its own points (AQ 3035-2010 §4.5 c: air temperature, humidity, wind speed and
 * direction): slow mean-reverting variations around a scenario's mean values, plus a diurnal
 * cycle of temperature (warmest at 14:00 local) and humidity (the opposite). Deterministic from
 * its random stream and the elapsed simulated time; the local time of day at the start comes
 * from the scenario, so values never depend on the wall-clock date of a run.
 */
import type { Rng } from '../prng.js';
import type { Wind } from './gas-plume.js';

export interface WeatherSpec {
  readonly windSpeedMs: number;
  /** Mean wind direction, degrees clockwise from north, where the wind comes from. */
  readonly windFromDeg: number;
  /** Standard deviation of the direction's wander (°). */
  readonly windWanderDeg: number;
  readonly airTempC: number;
  /** Peak-to-mean amplitude of the diurnal temperature cycle (K). */
  readonly diurnalAmplitudeK: number;
  readonly humidityPct: number;
  /** Local hour of day at simulated time 0 (0–24). */
  readonly startHour: number;
}

export interface WeatherOutputs extends Wind {
  readonly airTempC: number;
  readonly humidityPct: number;
}

/** Scenario overrides: a wind shift or a calm, applied on top of the means. */
export interface WeatherOverrides {
  readonly windSpeedMs?: number;
  readonly windFromDeg?: number;
}

const SPEED_TAU_MS = 120_000;
const DIRECTION_TAU_MS = 300_000;
const TEMP_TAU_MS = 900_000;

export class WeatherModel {
  private speedDev = 0;
  private dirDev = 0;
  private tempDev = 0;
  private lastMs = 0;

  constructor(
    readonly spec: WeatherSpec,
    private readonly rng: Rng,
  ) {}

  /** Weather at `elapsedMs` of simulated time (only forward; the same time again returns the same). */
  at(elapsedMs: number, overrides: WeatherOverrides = {}): WeatherOutputs {
    const dt = elapsedMs - this.lastMs;
    if (dt > 0) {
      this.speedDev = ou(this.speedDev, 0.25 * this.spec.windSpeedMs, SPEED_TAU_MS, dt, this.rng);
      this.dirDev = ou(this.dirDev, this.spec.windWanderDeg, DIRECTION_TAU_MS, dt, this.rng);
      this.tempDev = ou(this.tempDev, 0.3, TEMP_TAU_MS, dt, this.rng);
      this.lastMs = elapsedMs;
    }
    const hour = (this.spec.startHour + elapsedMs / 3_600_000) % 24;
    const diurnal = Math.cos(((hour - 14) / 24) * 2 * Math.PI); // +1 at 14:00, −1 at 02:00
    const meanSpeed = overrides.windSpeedMs ?? this.spec.windSpeedMs;
    const meanDir = overrides.windFromDeg ?? this.spec.windFromDeg;
    return {
      speedMs: Math.max(0, meanSpeed + (meanSpeed / Math.max(this.spec.windSpeedMs, 0.1)) * this.speedDev),
      fromDeg: (((meanDir + this.dirDev) % 360) + 360) % 360,
      airTempC: this.spec.airTempC + this.spec.diurnalAmplitudeK * diurnal + this.tempDev,
      humidityPct: Math.min(100, Math.max(5, this.spec.humidityPct - 12 * diurnal - 3 * this.tempDev)),
    };
  }
}

/** Exact Ornstein–Uhlenbeck step around 0 with stationary σ and time constant τ. */
function ou(x: number, sigma: number, tauMs: number, dtMs: number, rng: Rng): number {
  const decay = Math.exp(-dtMs / tauMs);
  return x * decay + sigma * Math.sqrt(1 - decay * decay) * rng.normal();
}
