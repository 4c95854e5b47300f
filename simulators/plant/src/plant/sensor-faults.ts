/**
 * Instrument faults laid over a point's reading, in the point's unit. Pure apart from the small
 * per-point state a fault needs (the value a stuck sensor froze at, the spikes already sent);
 * randomness comes from the point's own stream, so a replay is identical.
 *
 *   drift        reading += rate × minutes since the fault began (a sensor losing calibration)
 *   stuck        the reading freezes at its value when the fault began (or a given value)
 *   spike        the first N samples of the fault read a given value (an EMI spike, a loose wire)
 *   noise_burst  extra white noise of the given standard deviation (a failing transmitter)
 *   flapping     a square wave ± amplitude around a value or a limit (a process hunting at a limit)
 */
import type { Rng } from '../prng.js';

export type SensorFault =
  | { readonly kind: 'drift'; readonly id: string; readonly sinceMs: number; readonly ratePerMin: number }
  | { readonly kind: 'stuck'; readonly id: string; readonly sinceMs: number; readonly value?: number }
  | {
      readonly kind: 'spike';
      readonly id: string;
      readonly sinceMs: number;
      readonly value: number;
      readonly samples: number;
    }
  | { readonly kind: 'noise_burst'; readonly id: string; readonly sinceMs: number; readonly stdDev: number }
  | {
      readonly kind: 'flapping';
      readonly id: string;
      readonly sinceMs: number;
      readonly around: number;
      readonly amplitude: number;
      readonly periodMs: number;
    };

/** Per point: what the active faults remember between samples. */
export class FaultMemory {
  private readonly stuckAt = new Map<string, number>();
  private readonly spikesSent = new Map<string, number>();

  /** The reading with every fault in `faults` applied, in list order, at `elapsedMs`. */
  apply(value: number, faults: readonly SensorFault[], elapsedMs: number, rng: Rng): number {
    let v = value;
    for (const f of faults) {
      switch (f.kind) {
        case 'drift':
          v += (f.ratePerMin * (elapsedMs - f.sinceMs)) / 60_000;
          break;
        case 'stuck': {
          let held = this.stuckAt.get(f.id);
          if (held === undefined) {
            held = f.value ?? v;
            this.stuckAt.set(f.id, held);
          }
          v = held;
          break;
        }
        case 'spike': {
          const sent = this.spikesSent.get(f.id) ?? 0;
          if (sent < f.samples) {
            this.spikesSent.set(f.id, sent + 1);
            v = f.value;
          }
          break;
        }
        case 'noise_burst':
          v += f.stdDev * rng.normal();
          break;
        case 'flapping': {
          const phase = ((elapsedMs - f.sinceMs) % f.periodMs) / f.periodMs;
          v = f.around + (phase < 0.5 ? f.amplitude : -f.amplitude);
          break;
        }
      }
    }
    return v;
  }
}
