/**
 * Alarm flood detection, ISA-18.2 / EEMUA 191 (REFERENCE §7): a flood is more than 10 alarm
 * annunciations in 10 minutes per operator console. The detector keeps the annunciation times of
 * the trailing window; memory is bounded by the window, not by the shift.
 */
export const FLOOD_WINDOW_MS = 10 * 60_000;
/** More than this many in the window is a flood (> 10 per 10 min). */
export const FLOOD_THRESHOLD = 10;

export class FloodDetector {
  readonly #times: number[] = [];

  constructor(
    private readonly windowMs = FLOOD_WINDOW_MS,
    private readonly threshold = FLOOD_THRESHOLD,
  ) {}

  /** Records one annunciation at `ts` (ms). Out-of-order times are placed in order. */
  record(ts: number): void {
    let i = this.#times.length;
    while (i > 0 && this.#times[i - 1]! > ts) i -= 1;
    this.#times.splice(i, 0, ts);
  }

  /** Annunciations in (now − window, now]. Drops older ones. */
  count(nowMs: number): number {
    const from = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! <= from) drop += 1;
    if (drop > 0) this.#times.splice(0, drop);
    let n = 0;
    for (const t of this.#times) if (t <= nowMs) n += 1;
    return n;
  }

  inFlood(nowMs: number): boolean {
    return this.count(nowMs) > this.threshold;
  }
}
