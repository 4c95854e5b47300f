import { systemClock, unrefTimer, type Clock, type TimerHandle } from './clock.js';

/** The two levels a shutdown step is logged at (pino's `Logger` fits). */
export interface StepLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface StopStepsOptions {
  /** A step still running after this long is named in a warning (once), ms. @default 2000 */
  readonly slowMs?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** A step still running after this long is named in a warning, ms. */
export const SLOW_STOP_STEP_MS = 2000;

/**
 * The steps of a process's shutdown, run one after the other and timed. Each finished step is
 * logged at debug with its time; a step still running after `slowMs` is named at once in a
 * warning — before it ends, so a shutdown that never ends (the process is killed, or the CLI's
 * own limit exits it) still says which step it was stuck in. A step that fails is logged and the
 * rest still run; the first failure is thrown once every step has had its turn.
 */
export async function stopSteps(
  log: StepLog,
  steps: ReadonlyArray<readonly [name: string, step: () => unknown]>,
  options: StopStepsOptions = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const slowMs = options.slowMs ?? SLOW_STOP_STEP_MS;
  let failure: { error: unknown } | undefined;
  for (const [name, step] of steps) {
    const started = clock.now();
    let timer: TimerHandle | undefined = clock.setTimeout(() => {
      timer = undefined;
      log.warn({ step: name, ms: clock.now() - started }, 'shutdown step still running');
    }, slowMs);
    unrefTimer(timer);
    try {
      await step();
      log.debug({ step: name, ms: clock.now() - started }, 'shutdown step done');
    } catch (error) {
      log.warn({ step: name, ms: clock.now() - started, err: error }, 'shutdown step failed');
      failure ??= { error };
    } finally {
      clock.clearTimeout(timer);
    }
  }
  if (failure) throw failure.error;
}
