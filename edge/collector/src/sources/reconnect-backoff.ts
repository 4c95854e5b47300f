/**
 * Exponential re-connect delay: a plant device that is down for maintenance is not hammered with
 * connection attempts, and one that blips is back within the initial delay.
 */
export class ReconnectBackoff {
  #nextMs: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.#nextMs = initialMs;
  }

  /** The delay before the next attempt (ms); each call doubles the following one, up to the maximum. */
  next(): number {
    const delay = Math.min(this.#nextMs, this.maxMs);
    this.#nextMs = Math.min(this.#nextMs * 2, this.maxMs);
    return delay;
  }

  /** After a connection that carried data: the next loss starts again from the initial delay. */
  reset(): void {
    this.#nextMs = this.initialMs;
  }
}
