import type { Logger } from 'pino';
import type { SourceKind, SourceState, SourceStatus } from '../source.js';

/**
 * The counters and state every source reports through `status()`, with state transitions logged
 * once (not on every poll) so a flapping device shows in the log as transitions, not as noise.
 */
export class SourceStatusTracker {
  #state: SourceState = 'connecting';
  #detail: string | undefined;
  #readings = 0;
  #errors = 0;
  #reconnects = 0;
  #lastReadingAt: number | undefined;

  constructor(
    private readonly name: string,
    private readonly kind: SourceKind,
    private readonly log: Logger,
  ) {}

  get state(): SourceState {
    return this.#state;
  }

  /** Moves to `state`; a stopped source stays stopped. */
  setState(state: SourceState, detail?: string): void {
    if (this.#state === 'stopped') return;
    if (state === this.#state && detail === this.#detail) return;
    const from = this.#state;
    this.#state = state;
    this.#detail = detail;
    const level = state === 'connected' || state === 'stopped' ? 'info' : 'warn';
    this.log[level]({ from, to: state, detail }, 'source state changed');
  }

  addReadings(count: number, at: number): void {
    if (count === 0) return;
    this.#readings += count;
    this.#lastReadingAt = at;
  }

  addError(): void {
    this.#errors += 1;
  }

  addReconnect(): void {
    this.#reconnects += 1;
  }

  snapshot(): SourceStatus {
    return {
      name: this.name,
      kind: this.kind,
      state: this.#state,
      ...(this.#detail === undefined ? {} : { detail: this.#detail }),
      readings: this.#readings,
      errors: this.#errors,
      reconnects: this.#reconnects,
      ...(this.#lastReadingAt === undefined ? {} : { lastReadingAt: this.#lastReadingAt }),
    };
  }
}
