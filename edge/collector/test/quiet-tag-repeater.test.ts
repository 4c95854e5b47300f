import { describe, expect, it } from 'vitest';
import { QuietTagRepeater } from '../src/quiet-tag-repeater.js';

describe('QuietTagRepeater', () => {
  const heartbeat = (tag: string): number => (tag === 'PT-1' ? 10_000 : 60_000);

  it('repeats a silent tag at its heartbeat, stamped with the time its subscription vouches for', () => {
    let now = 1_000_000;
    const r = new QuietTagRepeater(heartbeat, () => now);
    // The server's clock runs 2 s behind the collector's; its last publish response said 999_000.
    let vouched: number | undefined = 999_000;
    r.record('dcs', [
      { tag: 'PT-1', ts: 998_000, value: 1.35 },
      { tag: 'AT-1', ts: 998_000, value: 21, quality: 'uncertain' },
    ]);
    now += 9_999;
    expect(r.due(() => vouched)).toEqual([]);
    now += 1;
    // Stamped at the vouched time, never at the collector's "now" (1_010_000).
    expect(r.due(() => vouched)).toEqual([{ tag: 'PT-1', ts: 999_000, value: 1.35 }]);
    // Nothing newer vouched for yet: the next heartbeat waits instead of repeating the same stamp.
    now += 10_000;
    expect(r.due(() => vouched)).toEqual([]);
    vouched = 1_007_500;
    expect(r.due(() => vouched)).toEqual([{ tag: 'PT-1', ts: 1_007_500, value: 1.35 }]);
    // A fresh sample restarts the wait.
    now += 5_000;
    r.record('dcs', [{ tag: 'PT-1', ts: 1_012_000, value: 1.4 }]);
    now += 9_000;
    vouched = 1_020_000;
    expect(r.due(() => vouched)).toEqual([]);
    now += 1_000;
    expect(r.due(() => vouched)).toEqual([{ tag: 'PT-1', ts: 1_020_000, value: 1.4 }]);
    now += 40_000;
    // AT-1's heartbeat (60 s) is due; PT-1 has nothing newer vouched for than its last repeat.
    expect(r.due(() => vouched)).toEqual([{ tag: 'AT-1', ts: 1_020_000, value: 21, quality: 'uncertain' }]);
    expect(r.repeated).toBe(4);
  });

  it('never repeats a value its subscription no longer vouches for, even when a later one does', () => {
    let now = 1_000_000;
    const r = new QuietTagRepeater(heartbeat, () => now);
    r.record('dcs', [{ tag: 'PT-1', ts: now, value: 459 }]);
    // The link is down: the tag is not vouched for, and its value is dropped…
    now += 60_000;
    expect(r.due(() => undefined)).toEqual([]);
    // …so after the reconnect nothing is repeated until the new subscription delivered a value.
    now += 10_000;
    expect(r.due(() => now)).toEqual([]);
    r.record('dcs', [{ tag: 'PT-1', ts: now - 500, value: 553 }]);
    now += 10_000;
    expect(r.due(() => now - 100)).toEqual([{ tag: 'PT-1', ts: now - 100, value: 553 }]);
  });

  it('forgets one source’s values when its link is rebuilt, and only that source’s', () => {
    let now = 1_000_000;
    const r = new QuietTagRepeater(heartbeat, () => now);
    r.record('dcs', [{ tag: 'PT-1', ts: now, value: 1 }]);
    r.record('sis', [{ tag: 'PT-2', ts: now, value: 2 }]);
    r.forget('dcs');
    now += 60_000;
    expect(r.due(() => now)).toEqual([{ tag: 'PT-2', ts: now, value: 2 }]);
  });

  it('repeats per tag: a tag not vouched for does not hold back the others of its source', () => {
    let now = 1_000_000;
    const r = new QuietTagRepeater(
      () => 10_000,
      () => now,
    );
    r.record('dcs', [
      { tag: 'PT-1', ts: now, value: 1 },
      { tag: 'PT-2', ts: now, value: 2 },
    ]);
    now += 10_000;
    expect(r.due((_source, tag) => (tag === 'PT-2' ? undefined : now))).toEqual([
      { tag: 'PT-1', ts: now, value: 1 },
    ]);
  });
});
