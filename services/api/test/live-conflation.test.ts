import { describe, expect, it } from 'vitest';
import type { LiveValue } from '@hazardwatch/contracts';
import { ValueConflator, type LiveClock } from '@hazardwatch/api';

/** A manual clock: `advance` runs due timers in order (STYLE rule 10: no sleeps). */
class ManualClock implements LiveClock {
  nowMs = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  now(): number {
    return this.nowMs;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ at: this.nowMs + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((x, y) => x.at - y.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = end;
  }
}

const v = (pointId: number, ts: number, value = ts): LiveValue => ({ pointId, ts, value, quality: 'good' });

function setup(intervalMs = 1000) {
  const clock = new ManualClock();
  const sent: LiveValue[][] = [];
  let writable = true;
  const conflator = new ValueConflator({
    clock,
    intervalMs,
    canSend: () => writable,
    send: (b) => sent.push([...b]),
  });
  return { clock, sent, conflator, block: (w: boolean) => (writable = !w) };
}

describe('ValueConflator', () => {
  it('sends the first value at once, then at most one batch per interval with the latest value per point', () => {
    const { clock, sent, conflator } = setup(1000);
    conflator.offer(v(1, 1));
    clock.advance(0);
    expect(sent).toEqual([[v(1, 1)]]);
    for (let ts = 2; ts <= 100; ts += 1) conflator.offer(v(1, ts));
    conflator.offer(v(2, 5));
    clock.advance(999);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent).toEqual([[v(1, 1)], [v(1, 100), v(2, 5)]]);
  });

  it('never lets an older reading overwrite a newer one', () => {
    const { clock, sent, conflator } = setup();
    conflator.offer(v(1, 10));
    conflator.offer(v(1, 5));
    clock.advance(0);
    expect(sent).toEqual([[v(1, 10)]]);
  });

  it('holds one entry per point while the client is backed up, and sends the latest once it drains', () => {
    const { clock, sent, conflator, block } = setup(250);
    block(true);
    for (let ts = 1; ts <= 10_000; ts += 1) conflator.offer(v(ts % 50, ts));
    clock.advance(5_000);
    expect(sent).toEqual([]);
    expect(conflator.pending).toBe(50);
    expect(conflator.skipped).toBeGreaterThan(1);
    block(false);
    clock.advance(250);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(50);
    expect(sent[0]!.find((x) => x.pointId === 0)).toEqual(v(0, 10_000));
  });

  it('applies a new interval to the pending batch, and sends nothing after close', () => {
    const { clock, sent, conflator } = setup(10_000);
    conflator.offer(v(1, 1));
    clock.advance(0);
    conflator.offer(v(1, 2));
    conflator.intervalMs = 500;
    clock.advance(500);
    expect(sent).toHaveLength(2);
    conflator.offer(v(1, 3));
    conflator.close();
    clock.advance(10_000);
    expect(sent).toHaveLength(2);
  });
});
