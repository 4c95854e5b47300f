/**
 * A storage tank with its feed pump/valve, draw-off valve and level controller, stepped in
 * simulated time. Pure: no clock, no randomness (noise is the sensor's business, sensor-model.ts).
 *
 *   level     dV/dt = feed − draw (m³/h); feed through the inlet valve, draw set by the level
 *             controller around its set point;
 *   temperature  first-order towards ambient (large thermal mass), plus external heating in an
 *             overpressure incident; refrigerated LNG sits at saturation for its tank pressure;
 *   pressure  pressure tanks (LPG, chlorine, ammonia): saturated vapour pressure at the liquid
 *             temperature plus any non-condensable pad; atmospheric/refrigerated tanks: the
 *             blanket/boil-off pressure held by the vent or BOG compressor.
 *
 * Interlocks, GB 17681-2024 §6.3.3.1 and GB 50160-2008 §6.3.11: high-high level closes the inlet
 * emergency shut-off valve (the feed stops once the valve has stroked), low-low level closes the
 * outlet. They latch until the operator resets them (`resetInterlocks`).
 */
import { ATMOSPHERE_MPA, MEDIUM_DATA, vapourPressureMPa, type Medium } from './media.js';

export interface TankSpec {
  readonly id: string;
  readonly medium: Medium;
  /** pressure: liquefied gas under its own vapour pressure; atmospheric: vented or refrigerated. */
  readonly kind: 'pressure' | 'atmospheric';
  readonly capacityM3: number;
  /** Liquid height at 100 % (m), for level points in m or mm. */
  readonly heightM: number;
  /** Level at start, and the level controller's set point (%). */
  readonly levelPct: number;
  /** Normal feed through the open inlet valve (m³/h). */
  readonly feedM3PerH: number;
  /** HH interlock closing the inlet valve, when configured (%). */
  readonly hhInterlockPct: number | undefined;
  /** LL interlock closing the outlet valve, when configured (%). */
  readonly llInterlockPct: number | undefined;
  /** Full stroke time of the shut-off valves (s). */
  readonly valveStrokeSec: number;
  /** Blanket / boil-off pressure of atmospheric tanks, and pad gas of pressure tanks (MPa gauge). */
  readonly padMPa: number;
  /** Safety valve set pressure (MPa gauge): pressure never exceeds it. */
  readonly reliefSetMPa: number;
  /** Thermal time constant of the liquid towards ambient (h). */
  readonly thermalTimeConstantH: number;
}

/** What the scenario imposes on the tank at a moment. */
export interface TankInputs {
  readonly ambientC: number;
  /** Overfill: the level controller has failed with the outlet shut; feed at this rate (m³/h). */
  readonly overfillFeedM3PerH?: number;
  /** Overpressure by external heat (fire exposure, lost cooling spray) (K/min). */
  readonly heatingKPerMin?: number;
  /** Overpressure by a failed pad/BOG regulator (MPa/min). */
  readonly padRiseMPaPerMin?: number;
}

export interface TankOutputs {
  readonly levelPct: number;
  readonly levelM: number;
  readonly temperatureC: number;
  /** Gauge pressure. */
  readonly pressureMPa: number;
  readonly feedFlowM3PerH: number;
  readonly drawFlowM3PerH: number;
  readonly feedValvePct: number;
  readonly drawValvePct: number;
  /** 1 while the HH interlock holds the inlet closed. */
  readonly hhInterlock: number;
  readonly massTonnes: number;
}

/** Level controller gain: draw changes by this fraction of the feed per % of level error. */
const LEVEL_GAIN_PER_PCT = 0.5;
/** Integration step (s): every dynamic here is minutes to hours. */
const MAX_STEP_SEC = 1;

export class TankModel {
  private volumeM3: number;
  private tempC: number;
  private padMPa: number;
  private feedValve = 1;
  private drawValve = 0.5;
  private hhTripped = false;
  private llTripped = false;
  private drawM3PerH: number;
  private feedM3PerH: number;

  constructor(
    readonly spec: TankSpec,
    ambientC: number,
  ) {
    this.volumeM3 = (spec.capacityM3 * spec.levelPct) / 100;
    this.tempC = spec.medium === 'lng' ? saturationC(spec.medium, spec.padMPa) : ambientC;
    this.padMPa = spec.padMPa;
    this.feedM3PerH = spec.feedM3PerH;
    this.drawM3PerH = spec.feedM3PerH;
  }

  /** Advances the tank by `dtMs` of simulated time under `inputs`. */
  step(dtMs: number, inputs: TankInputs): void {
    let left = dtMs / 1000;
    while (left > 1e-9) {
      const dt = Math.min(MAX_STEP_SEC, left);
      this.integrate(dt, inputs);
      left -= dt;
    }
  }

  /** Operator reset of latched interlocks (only effective once the level is back inside). */
  resetInterlocks(): void {
    const level = this.levelPct();
    if (this.spec.hhInterlockPct === undefined || level < this.spec.hhInterlockPct) this.hhTripped = false;
    if (this.spec.llInterlockPct === undefined || level > this.spec.llInterlockPct) this.llTripped = false;
  }

  outputs(): TankOutputs {
    const levelPct = this.levelPct();
    return {
      levelPct,
      levelM: (levelPct / 100) * this.spec.heightM,
      temperatureC: this.tempC,
      pressureMPa: this.pressureMPa(),
      feedFlowM3PerH: this.feedM3PerH,
      drawFlowM3PerH: this.drawM3PerH,
      feedValvePct: this.feedValve * 100,
      drawValvePct: this.drawValve * 100,
      hhInterlock: this.hhTripped ? 1 : 0,
      massTonnes: (this.volumeM3 * MEDIUM_DATA[this.spec.medium].liquidDensityKgM3) / 1000,
    };
  }

  private integrate(dt: number, inputs: TankInputs): void {
    const { spec } = this;
    const level = this.levelPct();
    if (spec.hhInterlockPct !== undefined && level >= spec.hhInterlockPct) this.hhTripped = true;
    if (spec.llInterlockPct !== undefined && level <= spec.llInterlockPct) this.llTripped = true;

    // Valves travel at full stroke per valveStrokeSec towards their command.
    const overfill = inputs.overfillFeedM3PerH !== undefined;
    const feedCmd = this.hhTripped ? 0 : 1;
    const baseFeed = overfill ? (inputs.overfillFeedM3PerH ?? 0) : spec.feedM3PerH;
    const wantDraw = overfill
      ? 0
      : Math.min(
          2 * spec.feedM3PerH,
          Math.max(0, baseFeed * (1 + LEVEL_GAIN_PER_PCT * (level - spec.levelPct))),
        );
    const drawCmd = this.llTripped ? 0 : spec.feedM3PerH > 0 ? wantDraw / (2 * spec.feedM3PerH) : 0;
    const travel = dt / Math.max(spec.valveStrokeSec, 0.1);
    this.feedValve = approach(this.feedValve, feedCmd, travel);
    this.drawValve = approach(this.drawValve, drawCmd, travel);

    this.feedM3PerH = baseFeed * this.feedValve;
    this.drawM3PerH = 2 * spec.feedM3PerH * this.drawValve;
    const dV = ((this.feedM3PerH - this.drawM3PerH) * dt) / 3600;
    this.volumeM3 = Math.min(spec.capacityM3, Math.max(0, this.volumeM3 + dV)); // full: overflows / lifts the relief

    this.padMPa += ((inputs.padRiseMPaPerMin ?? 0) * dt) / 60;
    if (spec.medium === 'lng') {
      this.tempC = saturationC(spec.medium, this.pressureMPa());
    } else {
      const tauSec = spec.thermalTimeConstantH * 3600;
      this.tempC += ((inputs.ambientC - this.tempC) / tauSec) * dt + ((inputs.heatingKPerMin ?? 0) * dt) / 60;
    }
    // The safety valve vents pad gas (and boils off) so the pressure stays at its set point.
    const excess = this.pressureMPa() - spec.reliefSetMPa;
    if (excess > 0) this.padMPa = Math.max(0, this.padMPa - excess);
  }

  private levelPct(): number {
    return (this.volumeM3 / this.spec.capacityM3) * 100;
  }

  private pressureMPa(): number {
    const { spec } = this;
    const p =
      spec.kind === 'pressure'
        ? vapourPressureMPa(spec.medium, this.tempC) - ATMOSPHERE_MPA + this.padMPa
        : this.padMPa;
    return Math.min(p, spec.reliefSetMPa);
  }
}

function approach(x: number, target: number, maxStep: number): number {
  return x < target ? Math.min(target, x + maxStep) : Math.max(target, x - maxStep);
}

/** Boiling temperature (°C) at a gauge pressure: the inverse of vapourPressureMPa. */
export function saturationC(medium: Medium, gaugeMPa: number): number {
  let lo = -273;
  let hi = 400;
  const target = gaugeMPa + ATMOSPHERE_MPA;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (vapourPressureMPa(medium, mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
