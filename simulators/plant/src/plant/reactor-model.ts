/**
 * Exothermic semi-batch reactor with a cooling jacket, stepped in simulated time. Pure.
 *
 * Heat balance per unit heat capacity (K/min), reactant fraction c (of design charge):
 *   dc/dt = f − k(T)·c                       feed f, consumption at the Arrhenius rate
 *   dT/dt = ΔT_ad·k(T)·c − UA′·(T − T_jacket) − UA′_amb·(T − T_amb)
 *   k(T) = k₀·exp(E/R·(1/T₀ − 1/T))          doubles roughly every 10–12 K near 120 °C
 * In normal operation the jacket temperature is trimmed by a PI controller to hold the set
 * point, so the heat removed matches the heat generated (Semenov's stable point). Losing cooling
 * leaves only the ambient loss: generation outruns removal and the rate of rise accelerates
 * until the accumulated reactant is spent — the thermal runaway of a batch reactor.
 *
 * Pressure (MPa gauge): the pad gas heats with the mass (ideal gas, p ∝ T), the solvent's vapour
 * pressure rises with temperature, and above `decompositionOnsetC` a decomposition generates
 * non-condensable gas at an Arrhenius rate, so pressure also rises faster and faster.
 */

const KELVIN = 273.15;
const GAS_CONSTANT = 8.314;
const MAX_STEP_SEC = 1;

export interface ReactorSpec {
  readonly id: string;
  /** Temperature set point (°C). */
  readonly setpointC: number;
  /** Normal operating pressure (MPa gauge). */
  readonly pressureMPa: number;
  /** Rate constant at the set point (1/min). */
  readonly rateAtSetpointPerMin: number;
  /** Activation energy (J/mol). */
  readonly activationEnergyJMol: number;
  /** Adiabatic temperature rise of a full charge (K). */
  readonly adiabaticRiseK: number;
  /** Reactant feed (fraction of full charge per min); the steady reactant holdup is f / k(T₀). */
  readonly feedPerMin: number;
  /** Jacket heat-transfer coefficient over heat capacity (1/min). */
  readonly coolingPerMin: number;
  /** Heat loss to ambient without cooling (1/min). */
  readonly ambientLossPerMin: number;
  /** Above this, decomposition gas builds pressure (°C). */
  readonly decompositionOnsetC: number;
  /** Pressure-relief (bursting disc) set point (MPa gauge). */
  readonly reliefSetMPa: number;
  /** Solvent vapour pressure doubles every this many K (a simple exponential curve). */
  readonly vapourDoublingK: number;
  /** Solvent vapour share of the operating pressure at the set point (MPa). */
  readonly vapourAtSetpointMPa: number;
}

export interface ReactorInputs {
  readonly ambientC: number;
  /** Remaining cooling capacity (0–1): 0 = loss of cooling water or jacket pump trip. @default 1 */
  readonly coolingFraction?: number;
  /** Feed interlocked shut (0–1 of normal feed). @default 1 */
  readonly feedFraction?: number;
}

export interface ReactorOutputs {
  readonly temperatureC: number;
  readonly pressureMPa: number;
  readonly jacketC: number;
  readonly reactantFraction: number;
  /** Rate of temperature rise (K/min), for inspection and tests. */
  readonly riseKPerMin: number;
  readonly coolantFlowPct: number;
}

export const DEFAULT_REACTOR: Omit<ReactorSpec, 'id'> = {
  setpointC: 120,
  pressureMPa: 2.5,
  rateAtSetpointPerMin: 0.02,
  activationEnergyJMol: 80_000,
  adiabaticRiseK: 150,
  feedPerMin: 0.01,
  coolingPerMin: 0.1,
  ambientLossPerMin: 0.002,
  decompositionOnsetC: 160,
  reliefSetMPa: 5.5,
  vapourDoublingK: 25,
  vapourAtSetpointMPa: 0.3,
};

export class ReactorModel {
  private tempC: number;
  private reactant: number;
  private jacketC: number;
  private integral = 0;
  private decompMPa = 0;
  private lastRise = 0;
  private coolingFraction = 1;

  constructor(readonly spec: ReactorSpec) {
    this.tempC = spec.setpointC;
    this.reactant = spec.feedPerMin / spec.rateAtSetpointPerMin;
    // Jacket temperature that removes exactly the heat generated at the set point.
    const gen = spec.adiabaticRiseK * spec.rateAtSetpointPerMin * this.reactant;
    this.jacketC = spec.setpointC - gen / spec.coolingPerMin;
    this.integral = this.jacketC;
  }

  step(dtMs: number, inputs: ReactorInputs): void {
    let left = dtMs / 1000;
    while (left > 1e-9) {
      const dt = Math.min(MAX_STEP_SEC, left);
      this.integrate(dt / 60, inputs);
      left -= dt;
    }
  }

  outputs(): ReactorOutputs {
    return {
      temperatureC: this.tempC,
      pressureMPa: this.pressureMPa(),
      jacketC: this.jacketC,
      reactantFraction: this.reactant,
      riseKPerMin: this.lastRise,
      coolantFlowPct: this.coolingFraction * 100,
    };
  }

  /** Arrhenius rate constant at `tempC` (1/min). */
  rateAt(tempC: number): number {
    const { spec } = this;
    const t0 = spec.setpointC + KELVIN;
    const t = tempC + KELVIN;
    return (
      spec.rateAtSetpointPerMin * Math.exp((spec.activationEnergyJMol / GAS_CONSTANT) * (1 / t0 - 1 / t))
    );
  }

  private integrate(dtMin: number, inputs: ReactorInputs): void {
    const { spec } = this;
    this.coolingFraction = Math.min(1, Math.max(0, inputs.coolingFraction ?? 1));
    const k = this.rateAt(this.tempC);
    const feed = spec.feedPerMin * (inputs.feedFraction ?? 1);
    this.reactant = Math.max(0, this.reactant + (feed - k * this.reactant) * dtMin);
    // PI on the jacket temperature (bounded by the cooling water and steam supply).
    const error = this.tempC - spec.setpointC;
    this.integral = clamp(this.integral - 0.5 * error * dtMin, 5, spec.setpointC);
    this.jacketC = clamp(this.integral - 2 * error, 5, spec.setpointC);
    const generation = spec.adiabaticRiseK * k * this.reactant;
    const removal = spec.coolingPerMin * this.coolingFraction * (this.tempC - this.jacketC);
    const loss = spec.ambientLossPerMin * (this.tempC - inputs.ambientC);
    this.lastRise = generation - removal - loss;
    this.tempC += this.lastRise * dtMin;
    if (this.tempC > spec.decompositionOnsetC) {
      // Decomposition gas: an Arrhenius-like rate doubling every 10 K above onset (MPa/min).
      this.decompMPa += 0.01 * 2 ** ((this.tempC - spec.decompositionOnsetC) / 10) * dtMin;
    }
  }

  private pressureMPa(): number {
    const { spec } = this;
    const ratio = (this.tempC + KELVIN) / (spec.setpointC + KELVIN);
    const padAbs = (spec.pressureMPa - spec.vapourAtSetpointMPa + 0.101325) * ratio;
    const vapour = spec.vapourAtSetpointMPa * 2 ** ((this.tempC - spec.setpointC) / spec.vapourDoublingK);
    return Math.min(spec.reliefSetMPa, padAbs - 0.101325 + vapour + this.decompMPa);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
