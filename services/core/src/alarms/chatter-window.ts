/**
 * Sliding count of transitions to active per (source, condition), across alarm records: a
 * chattering alarm often closes and reopens, so the history cannot live on one record.
 * REFERENCE §7 / §8 item 19: chattering = ≥ 3 transitions to active within 60 s.
 */
export class ChatterWindow {
  readonly #windowMs: number;
  readonly #times = new Map<string, number[]>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Record an activation at `ts` (ms) and return how many fall within the window ending at the latest one. */
  record(key: string, ts: number): number {
    const list = this.#times.get(key) ?? [];
    list.push(ts);
    // Source timestamps may arrive out of order: measure the window from the newest one.
    const newest = Math.max(...list);
    const kept = list.filter((t) => t > newest - this.#windowMs);
    this.#times.set(key, kept);
    return kept.length;
  }

  /** Forget keys with no activation within the window before `nowMs`, bounding memory. */
  prune(nowMs: number): void {
    for (const [key, list] of this.#times) {
      if (list.every((t) => t <= nowMs - this.#windowMs)) this.#times.delete(key);
    }
  }

  get size(): number {
    return this.#times.size;
  }
}
