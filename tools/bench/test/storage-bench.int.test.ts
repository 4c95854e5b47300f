import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { providedServices } from '@hazardwatch/testkit';
import { runStorageBench } from '../src/storage-bench.js';

/**
 * The storage bench on the test server, tiny: what it reports must be what it wrote and read
 * (its figures for the README come from full runs, issue #20).
 */
describe('storage bench', () => {
  it('writes the simulators’ signals, sizes them on disk and times the 30-day trend', async () => {
    const result = await runStorageBench({
      adminDatabaseUrl: providedServices().postgresAdminUrl,
      logger: pino({ level: 'silent' }),
      points: 6,
      hours: 1,
      trendPoints: 3,
      trendDays: 2,
      trendIntervalMs: 60_000,
      queries: 2,
    });
    expect(result).toMatchObject({ bench: 'storage', points: 6, hours: 1, readings: 6 * 3600 });
    expect(result.raw.totalBytes).toBeGreaterThan(result.raw.heapBytes);
    expect(result.raw.bytesPerReading).toBeGreaterThan(20);
    if (result.dialect === 'timescaledb') {
      expect(result.compressed!.bytesPerReading).toBeLessThan(result.raw.bytesPerReading);
    } else {
      expect(result.compressed).toBeNull();
    }
    // Two days at one reading a minute, read back as 1-hour buckets of the rollup.
    expect(result.trend).toMatchObject({ points: 3, readings: 3 * 2 * 1440, resolution: '1h' });
    expect(result.trend.bucketsPerPoint).toBeGreaterThanOrEqual(48);
    expect(result.trend.bucketsPerPoint).toBeLessThanOrEqual(49);
  });
});
