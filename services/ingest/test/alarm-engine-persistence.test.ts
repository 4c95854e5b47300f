import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DEFAULT_ALARM_SETTINGS, EMPTY_SITE, SiteIndex, type ColourChange } from '@hazardwatch/core';
import { AlarmEngine, type DurableWork } from '@hazardwatch/ingest';
import type { AlarmRepository, NotificationOutbox, SqlClient, WarningRepository } from '@hazardwatch/store';

const NOW = 1_700_000_000_000;

/**
 * Alarm persistence runs beside each ingest batch and holds its acknowledgement until stored. A
 * programming error there (TypeError) must be skipped and counted like any permanent failure: it
 * used to count as retryable (no SQLSTATE), so the unit retried forever and every later unit —
 * and every later acknowledgement of a batch that raised an alarm — waited behind it.
 */
describe('AlarmEngine: a unit that fails for good', () => {
  it('is skipped and counted, and the next unit is stored', async () => {
    const attached: DurableWork[] = [];
    const writes: number[] = [];
    const alarms = {
      write: (): Promise<ColourChange[]> => {
        writes.push(writes.length);
        if (writes.length === 1)
          return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'id')"));
        return Promise.resolve([]);
      },
    } as unknown as AlarmRepository;
    const host = new AlarmEngine({
      index: new SiteIndex(EMPTY_SITE),
      logger: pino({ level: 'silent' }),
      now: () => NOW,
      client: {} as SqlClient,
      alarms,
      warnings: {} as WarningRepository,
      outbox: {} as NotificationOutbox,
      joinBatch: (work) => void attached.push(work),
      settings: DEFAULT_ALARM_SETTINGS,
    });
    const source = { kind: 'point', pointId: 1 } as const;
    host.change({ source, condition: 'H', active: true, ts: NOW, value: 90, limit: 80 });
    expect(attached).toHaveLength(1);
    // Resolves (no retry loop), with the failure counted.
    await attached[0]!();
    expect(host.failedUnits).toBe(1);
    host.change({ source, condition: 'H', active: false, ts: NOW + 1000, value: 70, limit: 80 });
    expect(attached).toHaveLength(2);
    await attached[1]!();
    expect(writes).toHaveLength(2);
    expect(host.failedUnits).toBe(1);
  });
});
