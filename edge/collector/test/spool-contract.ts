import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '@hazardwatch/contracts';
import { isEdgeError } from '../src/errors.js';
import type { Spool, SpoolDrop } from '../src/spool/spool.js';

/**
 * The shared contract suite for the spool seam (STYLE.md rule 8), in the shape of MQTT.js's
 * abstract store suite: every spool implementation runs it on storage the harness owns.
 */
export interface SpoolBounds {
  readonly maxBytes?: number;
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

export interface SpoolHarness {
  /** Opens (or re-opens, after the previous instance was closed) a spool on the same storage. */
  open(bounds?: SpoolBounds): Promise<Spool>;
  /** Releases the storage. */
  cleanup(): Promise<void>;
}

/** Readings are stamped from T0; the spools run on a manual clock near it so the age bound stays out of the way. */
export const T0 = Date.UTC(2025, 0, 1);

/** `n` readings of one size (fixed-width tags and values) so every batch costs the same bytes. */
export function batch(n: number, start = 0, ts = T0): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    tag: `TI-${String(start + i).padStart(5, '0')}`,
    ts: ts + i,
    value: 1.5,
  }));
}

export function spoolContract(name: string, makeHarness: () => Promise<SpoolHarness>): void {
  describe(`spool contract: ${name}`, () => {
    let harness: SpoolHarness;
    let spool: Spool | undefined;
    const open = async (bounds?: SpoolBounds): Promise<Spool> => {
      spool = await harness.open({ now: () => T0 + 10_000, ...bounds });
      return spool;
    };
    const reopen = async (bounds?: SpoolBounds): Promise<Spool> => {
      await spool?.close();
      return open(bounds);
    };

    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await spool?.close();
      spool = undefined;
      await harness.cleanup();
    });

    it('hands entries back oldest first with their readings intact and increasing ids', async () => {
      const s = await open();
      const batches = [batch(3, 0), batch(1, 10), batch(5, 20), batch(2, 30)];
      const appended = [];
      for (const b of batches) appended.push(await s.append(b));
      const ids = appended.map((e) => e.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      const taken = s.take(10);
      expect(taken.map((e) => e.id)).toEqual(ids);
      expect(taken.map((e) => e.readings)).toEqual(batches);
    });

    it('resolves concurrent appends in call order with increasing ids', async () => {
      const s = await open();
      const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => s.append(batch(2, i * 2))));
      const ids = entries.map((e) => e.id);
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
      expect(s.take(100).map((e) => e.readings[0]!.tag)).toEqual(entries.map((e) => e.readings[0]!.tag));
    });

    it('leases what take returns until released; released entries return in id order', async () => {
      const s = await open();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await s.append(batch(1, i))).id);
      expect(s.take(3).map((e) => e.id)).toEqual(ids.slice(0, 3));
      expect(s.take(1).map((e) => e.id)).toEqual([ids[3]]);
      s.release([ids[2]!, ids[0]!]);
      expect(s.take(10).map((e) => e.id)).toEqual([ids[0], ids[2], ids[4]]);
      expect(s.take(10)).toEqual([]);
      s.release([999_999]);
      expect(s.depth().entries).toBe(5);
    });

    it('append with lease hands the entry to the caller only, until released', async () => {
      const s = await open();
      const queued = await s.append(batch(1, 0));
      const live = await s.append(batch(1, 1), { lease: true });
      expect(s.take(10).map((e) => e.id)).toEqual([queued.id]);
      s.release([queued.id, live.id]);
      expect(s.take(10).map((e) => e.id)).toEqual([queued.id, live.id]);
    });

    it('removes entries for good and keeps depth in step', async () => {
      const s = await open();
      expect(s.depth()).toEqual({ entries: 0, readings: 0, bytes: 0 });
      const a = await s.append(batch(3, 0, T0 + 100));
      const b = await s.append(batch(2, 10, T0 + 50));
      const c = await s.append(batch(4, 20, T0 + 200));
      const full = s.depth();
      expect(full).toMatchObject({ entries: 3, readings: 9, oldestTs: T0 + 50 });
      expect(full.bytes).toBeGreaterThan(0);
      s.take(10);
      await s.remove([b.id, 424_242]);
      const after = s.depth();
      expect(after).toMatchObject({ entries: 2, readings: 7, oldestTs: T0 + 100 });
      expect(after.bytes).toBeLessThan(full.bytes);
      s.release([a.id, b.id, c.id]);
      expect(s.take(10).map((e) => e.id)).toEqual([a.id, c.id]);
      await s.remove([a.id, c.id]);
      expect(s.depth()).toEqual({ entries: 0, readings: 0, bytes: 0 });
      expect(s.take(10)).toEqual([]);
    });

    it('drops the oldest entries beyond maxBytes and reports them with counts', async () => {
      const probe = await open();
      await probe.append(batch(4));
      const entryBytes = probe.depth().bytes;
      await probe.close();
      spool = undefined;
      await harness.cleanup();
      harness = await makeHarness();

      const s = await open({ maxBytes: Math.floor(entryBytes * 3.5) });
      const drops: SpoolDrop[] = [];
      s.onDrop((d) => drops.push(d));
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await s.append(batch(4, i * 10, T0 + i * 1000))).id);
      expect(s.depth().entries).toBe(3);
      expect(s.depth().bytes).toBeLessThanOrEqual(Math.floor(entryBytes * 3.5));
      expect(s.take(10).map((e) => e.id)).toEqual(ids.slice(2));
      expect(drops.every((d) => d.reason === 'max_bytes')).toBe(true);
      expect(drops.reduce((n, d) => n + d.entries, 0)).toBe(2);
      expect(drops.reduce((n, d) => n + d.readings, 0)).toBe(8);
      expect(Math.min(...drops.map((d) => d.oldestTs!))).toBe(T0);
      expect(Math.max(...drops.map((d) => d.newestTs!))).toBe(T0 + 1003);
    });

    it('does not hold an entry dropped for the bounds before its append resolved', async () => {
      const s = await open({ maxBytes: 2048 });
      const first = s.append(batch(20));
      const second = s.append(batch(20, 100));
      const [a, b] = await Promise.all([first, second]);
      expect(s.holds(a.id)).toBe(false);
      expect(s.holds(b.id)).toBe(true);
      await s.remove([b.id]);
      expect(s.holds(b.id)).toBe(false);
    });

    it('refuses a batch larger than maxBytes without touching the queue', async () => {
      const s = await open({ maxBytes: 2048 });
      await s.append(batch(2));
      const err: unknown = await s.append(batch(200)).catch((e: unknown) => e);
      expect(isEdgeError(err, 'HW_EDGE_SPOOL_ENTRY_TOO_LARGE')).toBe(true);
      expect(s.depth().entries).toBe(1);
    });

    it('drops entries whose newest reading is older than maxAgeMs', async () => {
      let now = T0 + 10_000;
      const s = await open({ maxAgeMs: 60_000, now: () => now });
      const drops: SpoolDrop[] = [];
      s.onDrop((d) => drops.push(d));
      await s.append(batch(3, 0, T0));
      const fresh = await s.append(batch(2, 10, T0 + 50_000));
      expect(drops).toEqual([]);
      now = T0 + 65_000;
      expect(s.take(10).map((e) => e.id)).toEqual([fresh.id]);
      expect(drops).toEqual([{ reason: 'max_age', entries: 1, readings: 3, oldestTs: T0, newestTs: T0 + 2 }]);
      expect(s.depth()).toMatchObject({ entries: 1, readings: 2, oldestTs: T0 + 50_000 });
    });

    it('after a reopen keeps un-removed entries in order (leases forgotten) and forgets removed ones', async () => {
      let s = await open();
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push((await s.append(batch(2, i * 2))).id);
      s.take(3);
      await s.remove([ids[1]!, ids[4]!]);
      s = await reopen();
      const kept = s.take(10);
      expect(kept.map((e) => e.id)).toEqual([ids[0], ids[2], ids[3], ids[5]]);
      expect(kept.map((e) => e.readings)).toEqual([0, 2, 3, 5].map((i) => batch(2, i * 2)));
      expect(s.depth()).toMatchObject({ entries: 4, readings: 8 });
    });

    it('keeps ids increasing across reopens, also after everything was removed', async () => {
      let s = await open();
      const first = await s.append(batch(1));
      const second = await s.append(batch(1, 1));
      await s.remove([first.id, second.id]);
      s = await reopen();
      const third = await s.append(batch(1, 2));
      expect(third.id).toBeGreaterThan(second.id);
      s = await reopen();
      const fourth = await s.append(batch(1, 3));
      expect(fourth.id).toBeGreaterThan(third.id);
      expect(s.take(10).map((e) => e.id)).toEqual([third.id, fourth.id]);
    });

    it('refuses work once closed', async () => {
      const s = await open();
      await s.close();
      const err: unknown = await s.append(batch(1)).catch((e: unknown) => e);
      expect(isEdgeError(err, 'HW_EDGE_SPOOL_CLOSED')).toBe(true);
      spool = undefined;
    });
  });
}
