import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Retention, SqlClient, StoreDialect } from '@hazardwatch/store';
import {
  DEAD_LETTER_TEXT_LIMITS,
  DeadLetterRepository,
  MS_PER_DAY,
  TimeRollups,
  ensurePointIds,
  latestSiteDocument,
  latestValues,
  loadPointIds,
  pointKey,
  queryHistory,
  saveSiteDocument,
  utcDayStart,
} from '@hazardwatch/store';
import { ManualClock } from './clock.js';
import { silentLogger } from './logger.js';
import { insertReadings } from './readings.js';

/** A migrated, empty database of one dialect, on one driver. */
export interface StoreTarget {
  client: SqlClient;
  dialect: StoreDialect;
  retention: Retention;
  /** Makes [fromMs, toMs] writable (plain: partitions; TimescaleDB: nothing to do). */
  prepareRange(fromMs: number, toMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The fixtures' day: the start of yesterday (UTC), whole hours from a day boundary so every bucket
 * is computable by hand. Dated relative to the run, because on a real TimescaleDB server
 * (HW_TEST_DATABASE_URL) the retention and compression jobs run on the wall clock and would drop
 * or compress fixed-date fixtures mid-run; a day old is well inside every retention.
 */
const T0 = utcDayStart(Date.now()) - MS_PER_DAY;
const MIN = 60_000;
const HOUR = 3_600_000;

/**
 * Shared contract (STYLE rule 8): every storage dialect × driver runs these same tests, so the
 * repository API behaves identically on plain PostgreSQL and TimescaleDB.
 */
export function describeStoreContract(
  name: string,
  open: (clock: ManualClock) => Promise<StoreTarget>,
): void {
  describe(`store contract: ${name}`, () => {
    const clock = new ManualClock(T0 + 12 * HOUR);
    let t: StoreTarget;

    beforeAll(async () => {
      t = await open(clock);
      await t.prepareRange(T0, T0 + 3 * HOUR);
      // Point 1: one reading every 10 s for 2 h, value = index, so every bucket is computable by hand.
      const p1 = Array.from({ length: 720 }, (_, i) => ({ pointId: 1, ts: T0 + i * 10_000, value: i }));
      // Point 2: one reading at 00:00:30 and one at 01:30:00 with bad quality.
      const p2 = [
        { pointId: 2, ts: T0 + 30_000, value: -5 },
        { pointId: 2, ts: T0 + 90 * MIN, value: 42.5, quality: 2 },
      ];
      await insertReadings(t.client, [...p1, ...p2]);
      const rollups = new TimeRollups({
        client: t.client,
        dialect: t.dialect,
        logger: silentLogger,
        now: clock.now,
        retention: t.retention,
      });
      await rollups.refresh(T0, T0 + 2 * HOUR);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('dates its fixtures inside every retention and before compression, by the wall clock', () => {
      // A server's background jobs (TimescaleDB retention, compression) act on real time.
      const oldestAgeMs = Date.now() - T0;
      const { rawRetentionMs, rollup1mRetentionMs, rollup1hRetentionMs, compressAfterMs } = t.retention;
      expect(oldestAgeMs).toBeLessThan(
        Math.min(rawRetentionMs, rollup1mRetentionMs, rollup1hRetentionMs, compressAfterMs),
      );
      expect(T0 % HOUR).toBe(0);
    });

    describe('point ids', () => {
      it('assigns dense ids once and returns the same ids on later calls', async () => {
        const keys = [
          { enterprise: 'E1', tag: 'TI-101' },
          { enterprise: 'E1', tag: 'PI-102' },
          { enterprise: 'E2', tag: 'TI-101' },
          { enterprise: 'E1', tag: 'TI-101' },
        ];
        const first = await ensurePointIds(t.client, keys);
        expect(first.size).toBe(3);
        expect([...first.values()].sort()).toEqual([1, 2, 3]);
        const again = await ensurePointIds(t.client, [...keys, { enterprise: 'E3', tag: 'LI-1' }]);
        for (const [k, id] of first) expect(again.get(k)).toBe(id);
        expect(again.get(pointKey('E3', 'LI-1'))).toBe(4);
        expect(await loadPointIds(t.client)).toEqual(again);
      });

      it('gives concurrent callers the same id for the same new key', async () => {
        const keys = Array.from({ length: 50 }, (_, i) => ({ enterprise: 'E9', tag: `T-${i}` }));
        const [a, b] = await Promise.all([
          ensurePointIds(t.client, keys),
          ensurePointIds(t.client, [...keys].reverse()),
        ]);
        expect(a.size).toBe(50);
        expect(b).toEqual(a);
      });

      it('keeps tags with separators apart', async () => {
        const ids = await ensurePointIds(t.client, [
          { enterprise: 'a', tag: 'b/c' },
          { enterprise: 'a/b', tag: 'c' },
        ]);
        expect(new Set(ids.values()).size).toBe(2);
      });
    });

    describe('dead letters', () => {
      it('stores batches, counts by reason and prunes to a bound', async () => {
        const repo = new DeadLetterRepository(t.client);
        const raw = new Uint8Array([0, 1, 2, 255]);
        await repo.insertMany(
          Array.from({ length: 25 }, (_, i) => ({
            receivedAtMs: T0 + i * 1000,
            topic: `hw/v1/E1/gw1/data`,
            enterprise: 'E1',
            gateway: 'gw1',
            reason: i % 5 === 0 ? 'SCHEMA_INVALID' : 'UNKNOWN_TAG',
            detail: `row ${i}`,
            tag: i % 2 === 0 ? 'TI-101' : undefined,
            raw,
          })),
        );
        expect(await repo.countsByReason()).toEqual([
          { reason: 'UNKNOWN_TAG', count: 20 },
          { reason: 'SCHEMA_INVALID', count: 5 },
        ]);
        const [newest] = await repo.recent(1);
        expect(newest).toMatchObject({ receivedAtMs: T0 + 24_000, detail: 'row 24', tag: 'TI-101' });
        expect([...newest!.raw!]).toEqual([0, 1, 2, 255]);

        expect(await repo.pruneTo(10)).toBe(15);
        expect(await repo.pruneTo(10)).toBe(0);
        const kept = await repo.recent(100);
        expect(kept.map((d) => d.detail)).toEqual(Array.from({ length: 10 }, (_, i) => `row ${24 - i}`));
        expect(await repo.pruneOlderThan(T0 + 20_000)).toBe(5);
        expect((await repo.recent(100)).length).toBe(5);
      });
    });

    describe('dead letters bounded as they are written', () => {
      it('keeps at most maxRows rows after every append, the newest ones', async () => {
        await t.client.query('DELETE FROM dead_letters');
        const repo = new DeadLetterRepository(t.client);
        const letter = (i: number) => ({
          receivedAtMs: T0 + i,
          topic: 'hw/v1/E1/gw1/telemetry',
          reason: 'malformed_json',
          detail: `letter ${i}`,
          raw: new Uint8Array([i % 256]),
        });
        let next = 0;
        for (const size of [30, 30, 5, 80]) {
          await repo.append(
            Array.from({ length: size }, () => letter(next++)),
            { maxRows: 50, maxRawBytes: 16 },
          );
          const kept = await repo.recent(1000);
          expect(kept.length).toBe(Math.min(50, next));
          expect(kept[0]!.detail).toBe(`letter ${next - 1}`);
          expect(kept.at(-1)!.detail).toBe(`letter ${next - kept.length}`);
        }
      });

      it('cuts raw payloads and text fields so every row has a bounded size', async () => {
        await t.client.query('DELETE FROM dead_letters');
        const repo = new DeadLetterRepository(t.client);
        const long = 'x'.repeat(100_000);
        await repo.append(
          [
            {
              receivedAtMs: T0,
              topic: long,
              enterprise: long,
              gateway: long,
              reason: 'bad_topic',
              detail: long,
              tag: long,
              raw: new Uint8Array(100_000),
            },
          ],
          { maxRows: 10, maxRawBytes: 100 },
        );
        const [row] = await repo.recent(1);
        expect(row!.raw!.byteLength).toBe(100);
        expect(row!.topic.length).toBe(DEAD_LETTER_TEXT_LIMITS.topic);
        expect(row!.enterprise!.length).toBe(DEAD_LETTER_TEXT_LIMITS.code);
        expect(row!.gateway!.length).toBe(DEAD_LETTER_TEXT_LIMITS.code);
        expect(row!.detail!.length).toBe(DEAD_LETTER_TEXT_LIMITS.detail);
        expect(row!.tag!.length).toBe(DEAD_LETTER_TEXT_LIMITS.tag);
      });
    });

    describe('site documents', () => {
      it('adds a version only when the sha256 changes', async () => {
        expect(await latestSiteDocument(t.client)).toBeUndefined();
        const v1 = await saveSiteDocument(t.client, { enterprise: 'E1', points: [1] }, 'aaa');
        expect(v1.created).toBe(true);
        expect(await saveSiteDocument(t.client, { enterprise: 'E1', points: [1] }, 'aaa')).toEqual({
          version: v1.version,
          created: false,
        });
        const v2 = await saveSiteDocument(t.client, { enterprise: 'E1', points: [1, 2] }, 'bbb');
        expect(v2).toEqual({ version: v1.version + 1, created: true });
        const latest = await latestSiteDocument(t.client);
        expect(latest).toMatchObject({
          version: v2.version,
          sha256: 'bbb',
          document: { enterprise: 'E1', points: [1, 2] },
        });
        expect(typeof latest!.loadedAtMs).toBe('number');
      });
    });

    describe('history', () => {
      it('returns raw readings when the range fits the budget', async () => {
        const [s1, s2] = await queryHistory(t.client, t.dialect, {
          pointIds: [1, 2],
          fromMs: T0,
          toMs: T0 + 10 * MIN,
          maxPoints: 1000,
        });
        expect(s1!.resolution).toBe('raw');
        expect(s1!.buckets).toHaveLength(60);
        expect(s1!.buckets[3]).toEqual({ ts: T0 + 30_000, min: 3, max: 3, avg: 3, last: 3, count: 1 });
        expect(s2).toEqual({
          pointId: 2,
          resolution: 'raw',
          buckets: [{ ts: T0 + 30_000, min: -5, max: -5, avg: -5, last: -5, count: 1 }],
        });
      });

      it('uses 1-minute buckets when raw would exceed the budget', async () => {
        const [s1] = await queryHistory(t.client, t.dialect, {
          pointIds: [1],
          fromMs: T0 + 30_000, // mid-bucket: the 00:00 bucket is still included
          toMs: T0 + 2 * HOUR,
          maxPoints: 500,
        });
        expect(s1!.resolution).toBe('1m');
        expect(s1!.buckets).toHaveLength(120);
        s1!.buckets.forEach((b, k) => {
          expect(b).toEqual({
            ts: T0 + k * MIN,
            min: 6 * k,
            max: 6 * k + 5,
            avg: 6 * k + 2.5,
            last: 6 * k + 5,
            count: 6,
          });
        });
      });

      it('uses 1-hour buckets when minutes would exceed the budget', async () => {
        const series = await queryHistory(t.client, t.dialect, {
          pointIds: [1, 2, 99],
          fromMs: T0,
          toMs: T0 + 2 * HOUR,
          maxPoints: 100,
        });
        expect(series.map((s) => [s.pointId, s.resolution])).toEqual([
          [1, '1h'],
          [2, '1h'],
          [99, '1h'],
        ]);
        const [s1, s2, s99] = series;
        expect(s1!.buckets).toEqual([
          { ts: T0, min: 0, max: 359, avg: 179.5, last: 359, count: 360 },
          { ts: T0 + HOUR, min: 360, max: 719, avg: 539.5, last: 719, count: 360 },
        ]);
        expect(s2!.buckets).toEqual([
          { ts: T0, min: -5, max: -5, avg: -5, last: -5, count: 1 },
          { ts: T0 + HOUR, min: 42.5, max: 42.5, avg: 42.5, last: 42.5, count: 1 },
        ]);
        expect(s99!.buckets).toEqual([]);
      });

      it('refreshing again after a late reading updates only the affected buckets', async () => {
        await insertReadings(t.client, [{ pointId: 2, ts: T0 + 90 * MIN + 5_000, value: 50 }]);
        const rollups = new TimeRollups({
          client: t.client,
          dialect: t.dialect,
          logger: silentLogger,
          now: clock.now,
          retention: t.retention,
        });
        await rollups.refresh(T0 + 90 * MIN, T0 + 90 * MIN + 5_001);
        await rollups.refresh(T0 + 90 * MIN, T0 + 90 * MIN + 5_001);
        const [s2] = await queryHistory(t.client, t.dialect, {
          pointIds: [2],
          fromMs: T0,
          toMs: T0 + 2 * HOUR,
          maxPoints: 100,
        });
        expect(s2!.buckets).toEqual([
          { ts: T0, min: -5, max: -5, avg: -5, last: -5, count: 1 },
          { ts: T0 + HOUR, min: 42.5, max: 50, avg: 46.25, last: 50, count: 2 },
        ]);
      });

      it('reads the latest value per point', async () => {
        expect(await latestValues(t.client, [2, 1, 99])).toEqual([
          { pointId: 1, ts: T0 + 719 * 10_000, value: 719, quality: 0 },
          { pointId: 2, ts: T0 + 90 * MIN + 5_000, value: 50, quality: 0 },
        ]);
      });
    });
  });
}
