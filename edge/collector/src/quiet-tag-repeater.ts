import type { Quality, Reading } from '@hazardwatch/contracts';

/**
 * OPC-UA subscriptions report a value only when it changes (DataChangeTrigger StatusValue), and
 * keep-alives prove the subscription alive in between. A level held steady for an hour is
 * therefore silent for an hour — and the core would call the point stale, and an on-delay that
 * started with the last change would never complete (delays are judged at samples).
 *
 * So for sources with that contract, the collector repeats a tag's last value at its heartbeat
 * interval, stamped with the time of the repeat, as long as the source is connected with every
 * tag read (state `connected`): that the value has not changed is what the healthy subscription
 * tells us, not an invention. While the source is reconnecting or degraded nothing is repeated,
 * so a real gap stays a gap and the core sees the points go stale.
 */
interface Last {
  value: number;
  quality: Quality;
  /** When this tag last went out (its own sample or a repeat), ms wall clock. */
  forwardedAt: number;
  readonly source: string;
}

export class QuietTagRepeater {
  private readonly last = new Map<string, Last>();
  /** Repeats sent since start. */
  repeated = 0;

  constructor(
    private readonly heartbeatMsOf: (tag: string) => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Readings forwarded for `source` (its own samples). */
  record(source: string, readings: readonly Reading[]): void {
    const at = this.now();
    for (const r of readings) {
      const known = this.last.get(r.tag);
      if (known) {
        known.value = r.value;
        known.quality = r.quality ?? 'good';
        known.forwardedAt = at;
      } else this.last.set(r.tag, { value: r.value, quality: r.quality ?? 'good', forwardedAt: at, source });
    }
  }

  /** Repeats due now, for tags of the sources `live` says are connected. */
  due(live: (source: string) => boolean): Reading[] {
    const at = this.now();
    const out: Reading[] = [];
    for (const [tag, l] of this.last) {
      if (at - l.forwardedAt < this.heartbeatMsOf(tag) || !live(l.source)) continue;
      l.forwardedAt = at;
      out.push(
        l.quality === 'good'
          ? { tag, ts: at, value: l.value }
          : { tag, ts: at, value: l.value, quality: l.quality },
      );
    }
    this.repeated += out.length;
    return out;
  }
}
