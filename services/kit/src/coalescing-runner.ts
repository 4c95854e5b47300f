/**
 * A task that must never run twice at once but may be asked for at any moment (a NOTIFY, a poll
 * tick, a site change): a request while it runs makes it run exactly once more after that run, however
 * many requests came meanwhile, because the run after sees everything they wanted it to see.
 */

export interface CoalescingRunnerOptions {
  /** The work. Never runs concurrently with itself. */
  readonly task: () => Promise<void>;
  /**
   * Told of each failed run (rejected, or thrown before returning a promise), so that a failure
   * never becomes an unhandled rejection of a `void runner.run()`. Must not throw.
   */
  readonly onError: (err: unknown) => void;
}

export class CoalescingRunner {
  readonly #task: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  /** The runs in a row now in progress, until the last of them has finished. */
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: CoalescingRunnerOptions) {
    this.#task = options.task;
    this.#onError = options.onError;
  }

  /**
   * Runs the task now, or once more after the run in progress. Resolves when a run that started
   * after this call has finished (or, once closed, when the run in progress has); never rejects.
   * After `close()` it runs nothing. A task must not await its own `run()`: that waits for itself.
   */
  run(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    let settle!: () => void;
    const running = new Promise<void>((resolve) => (settle = resolve));
    // Assigned before the task first runs, so a request from inside it coalesces too.
    this.#running = running;
    void this.#loop().finally(() => {
      this.#running = undefined;
      settle();
    });
    return running;
  }

  /** Resolves when no run is in progress; starts none. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Runs nothing more (requests pending included); resolves when the run in progress is over. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#task();
      } catch (err) {
        this.#onError(err);
      }
    } while (this.#again && !this.#closed);
  }
}
