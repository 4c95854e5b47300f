import { describe, expect, it } from 'vitest';
import { QuietTagRepeater } from '../src/quiet-tag-repeater.js';

describe('QuietTagRepeater', () => {
  it('repeats a silent tag at its heartbeat, stamped now, only while its source is live', () => {
    let now = 1_000_000;
    const r = new QuietTagRepeater(
      (tag) => (tag === 'PT-1' ? 10_000 : 60_000),
      () => now,
    );
    r.record('dcs', [
      { tag: 'PT-1', ts: now - 5, value: 1.35 },
      { tag: 'AT-1', ts: now - 5, value: 21, quality: 'uncertain' },
    ]);
    let live = true;
    now += 9_999;
    expect(r.due(() => live)).toEqual([]);
    now += 1;
    expect(r.due(() => live)).toEqual([{ tag: 'PT-1', ts: now, value: 1.35 }]);
    // A fresh sample restarts the wait.
    now += 5_000;
    r.record('dcs', [{ tag: 'PT-1', ts: now, value: 1.4 }]);
    now += 9_000;
    expect(r.due(() => live)).toEqual([]);
    // Source reconnecting: nothing is repeated (the gap must show as stale in the core).
    live = false;
    now += 60_000;
    expect(r.due(() => live)).toEqual([]);
    live = true;
    expect(r.due(() => live)).toEqual([
      { tag: 'PT-1', ts: now, value: 1.4 },
      { tag: 'AT-1', ts: now, value: 21, quality: 'uncertain' },
    ]);
    expect(r.repeated).toBe(3);
  });
});
