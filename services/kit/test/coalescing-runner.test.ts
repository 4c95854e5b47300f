import { describe, expect, it } from 'vitest';
import { CoalescingRunner } from '@hazardwatch/kit';

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise continuation queued so far run (one macrotask turn). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A runner whose task runs stay open until the test finishes or fails them, in order. */
function harness() {
  const open: Deferred[] = [];
  const errors: unknown[] = [];
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  const runner = new CoalescingRunner({
    task: async () => {
      runs += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      const gate = deferred();
      open.push(gate);
      try {
        await gate.promise;
      } finally {
        active -= 1;
      }
    },
    onError: (err) => errors.push(err),
  });
  const current = (): Deferred => {
    const gate = open.shift();
    if (gate === undefined) throw new Error('no run in flight');
    return gate;
  };
  return {
    runner,
    errors,
    finish: () => current().resolve(),
    fail: (err: unknown) => current().reject(err),
    get runs() {
      return runs;
    },
    get maxActive() {
      return maxActive;
    },
    get inFlight() {
      return open.length;
    },
  };
}

type Step = 'run' | 'finish' | 'fail' | 'close';

interface Interleaving {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly runs: number;
  readonly errors: number;
}

const interleavings: readonly Interleaving[] = [
  { name: 'one request: one run', steps: ['run', 'finish'], runs: 1, errors: 0 },
  {
    name: 'a request during a run: exactly one more run, after it',
    steps: ['run', 'run', 'finish', 'finish'],
    runs: 2,
    errors: 0,
  },
  {
    name: 'many requests during a run: one more run',
    steps: ['run', 'run', 'run', 'run', 'run', 'finish', 'finish'],
    runs: 2,
    errors: 0,
  },
  {
    name: 'a request during the extra run: one more again',
    steps: ['run', 'run', 'finish', 'run', 'run', 'finish', 'finish'],
    runs: 3,
    errors: 0,
  },
  {
    name: 'requests after a run has finished: a new run each',
    steps: ['run', 'finish', 'run', 'finish', 'run', 'finish'],
    runs: 3,
    errors: 0,
  },
  {
    name: 'close during a run with a request pending: no further run',
    steps: ['run', 'run', 'close', 'finish'],
    runs: 1,
    errors: 0,
  },
  {
    name: 'a request after close: no run',
    steps: ['run', 'finish', 'close', 'run', 'run'],
    runs: 1,
    errors: 0,
  },
  {
    name: 'a failed run is reported and the next request still runs',
    steps: ['run', 'fail', 'run', 'finish'],
    runs: 2,
    errors: 1,
  },
  {
    name: 'a run that fails with a request pending: reported, then the one more run',
    steps: ['run', 'run', 'fail', 'fail'],
    runs: 2,
    errors: 2,
  },
  {
    name: 'close during a run that then fails: reported, no further run',
    steps: ['run', 'run', 'close', 'fail'],
    runs: 1,
    errors: 1,
  },
];

describe('CoalescingRunner', () => {
  it.each(interleavings)('$name', async ({ steps, runs, errors }) => {
    const h = harness();
    const waits: Promise<void>[] = [];
    let failures = 0;
    for (const step of steps) {
      if (step === 'run') waits.push(h.runner.run());
      else if (step === 'close') waits.push(h.runner.close());
      else if (step === 'finish') h.finish();
      else h.fail(new Error(`failure ${(failures += 1)}`));
      await settle();
    }
    // Every promise handed out resolves (never rejects) once the runs are over.
    await expect(Promise.all(waits)).resolves.toBeDefined();
    expect(h.inFlight).toBe(0);
    expect(h.runs).toBe(runs);
    expect(h.maxActive).toBeLessThanOrEqual(1);
    expect(h.errors).toHaveLength(errors);
    expect(h.errors.map((e) => (e as Error).message)).toEqual(
      Array.from({ length: errors }, (_, i) => `failure ${i + 1}`),
    );
  });

  it('resolves a request made during a run only after the run that serves it', async () => {
    const h = harness();
    let first = false;
    let second = false;
    void h.runner.run().then(() => (first = true));
    await settle();
    void h.runner.run().then(() => (second = true));
    h.finish();
    await settle();
    // The first run is over, but the first caller shares the promise of the runs in a row.
    expect([h.runs, first, second]).toEqual([2, false, false]);
    h.finish();
    await settle();
    expect([first, second]).toEqual([true, true]);
  });

  it('close waits for the run in flight, and idle does not start one', async () => {
    const h = harness();
    await h.runner.idle();
    expect(h.runs).toBe(0);
    void h.runner.run();
    await settle();
    let idle = false;
    let closed = false;
    void h.runner.idle().then(() => (idle = true));
    void h.runner.close().then(() => (closed = true));
    await settle();
    expect([idle, closed]).toEqual([false, false]);
    h.finish();
    await settle();
    expect([idle, closed, h.runs]).toEqual([true, true, 1]);
    await h.runner.close();
  });

  it('reports a task that throws before returning a promise', async () => {
    const errors: unknown[] = [];
    const boom = new Error('sync');
    const runner = new CoalescingRunner({
      task: () => {
        throw boom;
      },
      onError: (err) => errors.push(err),
    });
    await runner.run();
    await runner.run();
    expect(errors).toEqual([boom, boom]);
  });

  it('runs once more when the task itself asks for a run', async () => {
    let runs = 0;
    const runner: CoalescingRunner = new CoalescingRunner({
      task: () => {
        runs += 1;
        if (runs === 1) void runner.run();
        return Promise.resolve();
      },
      onError: () => undefined,
    });
    await runner.run();
    expect(runs).toBe(2);
  });
});
