import type { Quality, Reading } from '@hazardwatch/contracts';

/**
 * OPC-UA subscriptions report a value only when it changes (DataChangeTrigger StatusValue), and
 * keep-alives prove the subscription alive in between. A level held steady for an hour is
 * therefore silent for an hour — and the core would call the point stale, and an on-delay that
 * started with the last change would never complete (delays are judged at samples).
 *
 * So for sources with that contract, the collector repeats a tag's last value at its heartbeat
 * interval. A repeat is a claim — "the value was still this at time T" — and only the live
 * subscription that delivered the value can back it:
 *
 * - Only values the current link delivered are repeated. When the source's link is lost and
 *   rebuilt (`forget`), or the source no longer vouches for a tag (link down, item gone), the
 *   tag's last value is dropped here; the tag is repeated again only after the new subscription
 *   delivered its own first value. A pre-outage value is never sent as current after a reconnect.
 * - A repeat is stamped with the time the source vouches for (`unchangedThrough`: the server's
 *   PublishTime of the subscription's last publish response less the sampling interval), never
 *   with the collector's clock. The collector's clock may run ahead of the server's, and a change
 *   just before now may still be on its way; a repeat stamped "now" would then look newer than the
 *   real change, and the core, which keeps a point's newest reading, would ignore the real one.
 *   Stamped at what the server has vouched for, every change the server reports later is newer
 *   than every repeat before it.
 * - A repeat is sent only if that stamp is later than the tag's last reading sent; otherwise this
 *   heartbeat waits (a server without PublishTime gets no repeats).
 *
 * While a tag is not vouched for nothing is repeated, so a real gap stays a gap and the core sees
 * the point go stale; other tags of the same source keep being repeated.
 */
interface Last {
  value: number;
  quality: Quality;
  /** Timestamp of the last reading sent for this tag (its own sample or a repeat), source clock ms. */
  ts: number;
  /** When this tag last went out, ms wall clock (schedules the heartbeat). */
  forwardedAt: number;
  readonly source: string;
}

/** What a change-reporting source vouches for (see `ChangeReportingSource.unchangedThrough`). */
export type Witness = (source: string, tag: string) => number | undefined;

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
      if (known && known.source === source) {
        known.value = r.value;
        known.quality = r.quality ?? 'good';
        known.ts = r.ts;
        known.forwardedAt = at;
      } else
        this.last.set(r.tag, {
          value: r.value,
          quality: r.quality ?? 'good',
          ts: r.ts,
          forwardedAt: at,
          source,
        });
    }
  }

  /** Drops every value of `source`: its link was lost, nothing it said before is repeated. */
  forget(source: string): void {
    for (const [tag, l] of this.last) if (l.source === source) this.last.delete(tag);
  }

  /** Repeats due now, each stamped with the time `vouched` gives for its tag. */
  due(vouched: Witness): Reading[] {
    const at = this.now();
    const out: Reading[] = [];
    for (const [tag, l] of this.last) {
      if (at - l.forwardedAt < this.heartbeatMsOf(tag)) continue;
      const through = vouched(l.source, tag);
      if (through === undefined) {
        this.last.delete(tag);
        continue;
      }
      if (through <= l.ts) continue;
      l.ts = through;
      l.forwardedAt = at;
      out.push(
        l.quality === 'good'
          ? { tag, ts: through, value: l.value }
          : { tag, ts: through, value: l.value, quality: l.quality },
      );
    }
    this.repeated += out.length;
    return out;
  }
}
