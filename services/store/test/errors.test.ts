import { describe, expect, it } from 'vitest';
import { storeErrors, type StoreErrorCode } from '@hazardwatch/store';
import { HazardWatchError } from '@hazardwatch/kit';

const samples: { [C in StoreErrorCode]: Record<string, unknown> } = {
  HW_STORE_SCHEMA_TOO_NEW: { databaseVersion: 9, codeVersion: 3 },
  HW_STORE_EMBEDDED_POSTGRES_FAILED: { dataDir: '/var/lib/hw/postgres', reason: 'exited with code 1' },
  HW_STORE_EMBEDDED_POSTGRES_BUSY: {
    dataDir: '/var/lib/hw/postgres',
    pid: 4242,
    reason: 'still running after 35 s',
  },
  HW_STORE_DIALECT_MISMATCH: { recorded: 'postgres', requested: 'timescaledb' },
  HW_STORE_TIMESCALE_UNAVAILABLE: { reason: 'not installed' },
  HW_STORE_POSTGRES_TOO_OLD: { serverVersionNum: 130000, minimumVersionNum: 140000 },
  HW_STORE_MIGRATION_FAILED: { version: 2, migration: 'readings' },
  HW_STORE_CONFIG_INVALID: { key: 'rawRetentionDays', reason: 'must be ≥ 30' },
  HW_STORE_HISTORY_RANGE_INVALID: { fromMs: 10, toMs: 5, maxPoints: 100 },
  HW_STORE_SITE_CONFLICT: { basedOn: 3, latest: 4 },
  HW_STORE_CONNECTION_LOST: { operation: 'COPY readings' },
  HW_STORE_LEASE_STALE: { partitions: '3,17', epochs: '4,9' },
};

describe('store error registry', () => {
  it('has unique HW_STORE_ codes, none reaching a REST answer with a status', () => {
    expect(storeErrors.prefix).toBe('HW_STORE');
    expect(new Set(storeErrors.codes).size).toBe(storeErrors.codes.length);
    for (const code of storeErrors.codes) {
      expect(code).toMatch(/^HW_STORE_[A-Z0-9_]+$/);
      expect(storeErrors.specs[code]).not.toHaveProperty('status');
    }
    expect(Object.keys(samples).sort()).toEqual([...storeErrors.codes].sort());
  });

  it.each(storeErrors.codes.map((c) => [c]))(
    '%s fills every placeholder from its data and carries code, data and retryable',
    (code) => {
      const data = samples[code];
      const err = storeErrors.create(code, data as never, { cause: 'why' });
      expect(err).toBeInstanceOf(HazardWatchError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.retryable).toBe(storeErrors.specs[code].retryable);
      expect(err.data).toEqual(data);
      expect(err.cause).toBe('why');
      expect(err.message).not.toMatch(/\{\w+\}/);
      expect(Object.isFrozen(err.data)).toBe(true);
      expect(storeErrors.is(err, code)).toBe(true);
    },
  );

  it('is() matches on code only', () => {
    const err = storeErrors.create('HW_STORE_SCHEMA_TOO_NEW', { databaseVersion: 4, codeVersion: 3 });
    expect(storeErrors.is(err, 'HW_STORE_DIALECT_MISMATCH')).toBe(false);
    expect(storeErrors.is(new Error(err.message))).toBe(false);
  });

  it('only the connection loss and a site conflict are worth retrying', () => {
    const retryable = storeErrors.codes.filter((c) => storeErrors.specs[c].retryable);
    expect(retryable.sort()).toEqual(['HW_STORE_CONNECTION_LOST', 'HW_STORE_SITE_CONFLICT']);
  });
});
