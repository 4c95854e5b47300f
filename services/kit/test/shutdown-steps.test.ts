import { describe, expect, it } from 'vitest';
import { ManualClock, stopSteps, type StepLog } from '@hazardwatch/kit';

function recorder(): StepLog & {
  readonly lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  return {
    lines,
    debug: (obj, msg) => void lines.push({ level: 'debug', msg, obj: obj as Record<string, unknown> }),
    warn: (obj, msg) => void lines.push({ level: 'warn', msg, obj: obj as Record<string, unknown> }),
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('stopSteps', () => {
  it('runs the steps in order and logs each one done with its time', async () => {
    const clock = new ManualClock(1000);
    const log = recorder();
    const order: string[] = [];
    await stopSteps(
      log,
      [
        ['a', () => void order.push('a')],
        ['b', () => Promise.resolve().then(() => void order.push('b'))],
      ],
      { clock },
    );
    expect(order).toEqual(['a', 'b']);
    expect(log.lines.map((l) => [l.level, l.msg, l.obj['step']])).toEqual([
      ['debug', 'shutdown step done', 'a'],
      ['debug', 'shutdown step done', 'b'],
    ]);
  });

  it('names a step that hangs in a warning before it ends, once', async () => {
    const clock = new ManualClock(0);
    const log = recorder();
    let release!: () => void;
    const done = stopSteps(log, [['live gateway', () => new Promise<void>((r) => (release = r))]], {
      clock,
      slowMs: 2000,
    });
    await turn();
    clock.advance(1999);
    expect(log.lines).toEqual([]);
    clock.advance(1);
    expect(log.lines).toEqual([
      { level: 'warn', msg: 'shutdown step still running', obj: { step: 'live gateway', ms: 2000 } },
    ]);
    clock.advance(10_000);
    expect(log.lines).toHaveLength(1);
    release();
    await done;
    expect(log.lines[1]).toEqual({
      level: 'debug',
      msg: 'shutdown step done',
      obj: { step: 'live gateway', ms: 12_000 },
    });
  });

  it('a failed step is logged, the rest still run, and the first failure is thrown at the end', async () => {
    const log = recorder();
    const ran: string[] = [];
    const first = new Error('first');
    await expect(
      stopSteps(log, [
        ['a', () => Promise.reject(first)],
        [
          'b',
          () => {
            ran.push('b');
            throw new Error('second');
          },
        ],
        ['c', () => void ran.push('c')],
      ]),
    ).rejects.toBe(first);
    expect(ran).toEqual(['b', 'c']);
    expect(log.lines.map((l) => [l.level, l.obj['step']])).toEqual([
      ['warn', 'a'],
      ['warn', 'b'],
      ['debug', 'c'],
    ]);
  });
});
