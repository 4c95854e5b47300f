/**
 * Ground-level concentration downwind of a continuous leak: the steady Gaussian plume for a
 * ground-level source with full ground reflection,
 *   C(x, y) = Q / (π · u · σy · σz) · exp(−y² / 2σy²)          (kg/m³, Q in kg/s, u in m/s)
 * with Briggs' open-country dispersion coefficients for neutral stability (Pasquill class D):
 *   σy = 0.08·x·(1 + 0.0001·x)^−½,  σz = 0.06·x·(1 + 0.0015·x)^−½   (x in m).
 * The plume front travels with the wind: a detector sees nothing until x/u after the leak
 * started (and keeps reading for x/u after it stopped). Close to the source (< NEAR_FIELD_M) a
 * weak isotropic term stands in for eddies and low-wind meander, so a detector right next to a
 * leak reads it whatever the wind. Wind direction is where the wind comes FROM (meteorological),
 * degrees clockwise from north; positions are metres east (x) and north (y) of a plant origin.
 *
 * A screening approximation (dense gases such as chlorine slump and spread more), but it gives
 * what the alarm system needs: correlated, wind-dependent, delayed rises on nearby detectors.
 */

export interface PlantPosition {
  /** Metres east of the plant origin. */
  readonly x: number;
  /** Metres north of the plant origin. */
  readonly y: number;
}

export interface LeakState {
  readonly at: PlantPosition;
  /** Release rate (kg/s). */
  readonly rateKgPerS: number;
  /** Simulated ms since the leak started (negative: not yet). */
  readonly elapsedMs: number;
  /** Simulated ms since the leak stopped, or undefined while it goes on. */
  readonly stoppedForMs?: number;
}

export interface Wind {
  readonly speedMs: number;
  readonly fromDeg: number;
}

/** Below this the plume formula is meaningless (calm): treat as this speed. */
const MIN_WIND_MS = 0.5;
const MIN_DISTANCE_M = 1;
const NEAR_FIELD_M = 5;

/** Concentration (kg/m³) at `where` from one leak under `wind`. */
export function plumeConcentration(leak: LeakState, where: PlantPosition, wind: Wind): number {
  if (leak.elapsedMs < 0 || leak.rateKgPerS <= 0) return 0;
  const u = Math.max(MIN_WIND_MS, wind.speedMs);
  const to = ((wind.fromDeg + 180) * Math.PI) / 180; // where the wind blows to
  const ex = where.x - leak.at.x;
  const ny = where.y - leak.at.y;
  const downwind = ex * Math.sin(to) + ny * Math.cos(to);
  const crosswind = ex * Math.cos(to) - ny * Math.sin(to);
  const distance = Math.hypot(ex, ny);

  let c = 0;
  const travelMs = (Math.max(downwind, 0) / u) * 1000;
  const arrived = leak.elapsedMs >= travelMs;
  const notYetGone = leak.stoppedForMs === undefined || leak.stoppedForMs < travelMs;
  if (downwind > 0 && arrived && notYetGone) {
    const x = Math.max(MIN_DISTANCE_M, downwind);
    const sy = 0.08 * x * (1 + 0.0001 * x) ** -0.5;
    const sz = 0.06 * x * (1 + 0.0015 * x) ** -0.5;
    c += (leak.rateKgPerS / (Math.PI * u * sy * sz)) * Math.exp(-(crosswind * crosswind) / (2 * sy * sy));
  }
  if (distance < NEAR_FIELD_M && leak.stoppedForMs === undefined) {
    // Isotropic near field: a hemisphere of radius NEAR_FIELD_M ventilated at the wind speed.
    const r = Math.max(MIN_DISTANCE_M, distance);
    c += (leak.rateKgPerS / (2 * Math.PI * u * NEAR_FIELD_M * NEAR_FIELD_M)) * (1 - r / NEAR_FIELD_M);
  }
  return c;
}
