import type { Logger } from 'pino';

/**
 * What a process's start-up has started so far (infrastructure, store, servers), stopped again
 * in reverse order when a later step fails, so a failed start leaves nothing running.
 */
export class StartupUndo {
  private readonly steps: Array<() => Promise<unknown>> = [];

  constructor(private readonly log: Logger) {}

  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  /** Every step, newest first; one that fails is logged and the rest still run. */
  async run(): Promise<void> {
    for (const step of this.steps.reverse())
      await step().catch((err: unknown) => this.log.warn({ err }, 'cleanup after failed start'));
  }
}
