import type { Quality, Reading } from '@hazardwatch/contracts';

/**
 * Report by exception: a tag's value is forwarded when it moved by more than its deadband since
 * the last value sent, when its quality changed, or when the heartbeat is due — so a flat value
 * still arrives regularly and the core does not take a healthy, steady sensor for a dead one.
 * A deadband of 0 forwards every sample (the default: the core's evaluators do their own
 * deadbands; report by exception only saves uplink bandwidth).
 */
export interface ExceptionRule {
  /** Absolute, engineering units. */
  readonly deadband: number;
  readonly heartbeatMs: number;
}

interface Sent {
  value: number;
  quality: Quality;
  ts: number;
}

export class ExceptionFilter {
  private readonly sent = new Map<string, Sent>();
  /** Samples forwarded and held back since start. */
  passed = 0;
  suppressed = 0;

  constructor(
    private readonly rules: ReadonlyMap<string, ExceptionRule>,
    private readonly fallback: ExceptionRule,
  ) {}

  /**
   * Forgets what was sent for `tags`, so their next sample is forwarded whatever its value: after
   * a change-reporting source rebuilt its link, the new link's first value must reach the core
   * (it is the only value the collector may repeat from then on).
   */
  forget(tags: Iterable<string>): void {
    for (const tag of tags) this.sent.delete(tag);
  }

  /** The readings to forward, in their order; the input is not modified. */
  filter(readings: readonly Reading[]): readonly Reading[] {
    let out: Reading[] | undefined;
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i]!;
      const keep = this.keep(r);
      if (keep) this.passed++;
      else this.suppressed++;
      if (!keep && out === undefined) out = readings.slice(0, i);
      else if (keep && out !== undefined) out.push(r);
    }
    return out ?? readings;
  }

  private keep(r: Reading): boolean {
    const rule = this.rules.get(r.tag) ?? this.fallback;
    const quality = r.quality ?? 'good';
    if (rule.deadband <= 0) return true;
    const last = this.sent.get(r.tag);
    const send =
      last === undefined ||
      quality !== last.quality ||
      Math.abs(r.value - last.value) > rule.deadband ||
      r.ts - last.ts >= rule.heartbeatMs ||
      // The source clock went back (device reset): never hold a value back on a stale comparison.
      r.ts < last.ts;
    if (send) this.sent.set(r.tag, { value: r.value, quality, ts: r.ts });
    return send;
  }
}
