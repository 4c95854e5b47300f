import { describe, expect, it } from 'vitest';
import { StoreError, StoreErrors, formatTemplate } from '@hazardwatch/store';

const samples: { [K in keyof typeof StoreErrors]: Parameters<(typeof StoreErrors)[K]>[0] } = {
  schemaTooNew: { databaseVersion: 9, codeVersion: 3 },
  embeddedPostgresFailed: { dataDir: '/var/lib/hw/postgres', reason: 'exited with code 1' },
  embeddedPostgresBusy: { dataDir: '/var/lib/hw/postgres', pid: 4242, reason: 'still running after 35 s' },
  dialectMismatch: { recorded: 'postgres', requested: 'timescaledb' },
  timescaleUnavailable: { reason: 'not installed' },
  postgresTooOld: { serverVersionNum: 130000, minimumVersionNum: 140000 },
  migrationFailed: { version: 2, migration: 'readings' },
  configInvalid: { key: 'rawRetentionDays', reason: 'must be ≥ 30' },
  historyRangeInvalid: { fromMs: 10, toMs: 5, maxPoints: 100 },
  siteConflict: { basedOn: 3, latest: 4 },
  connectionLost: { operation: 'COPY readings' },
};

describe('store error registry', () => {
  const entries = Object.entries(StoreErrors);

  it('has unique STORE_ codes', () => {
    const codes = entries.map(([, f]) => f.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^STORE_[A-Z_]+$/);
  });

  it.each(entries)(
    '%s fills every placeholder from its data and carries code, data and retryable',
    (key, factory) => {
      const data = samples[key as keyof typeof StoreErrors];
      const err = (factory as (d: object, o?: { cause?: unknown }) => StoreError)(data, { cause: 'why' });
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(factory.code);
      expect(err.retryable).toBe(factory.retryable);
      expect(err.data).toEqual(data);
      expect(err.cause).toBe('why');
      expect(err.message).not.toMatch(/\{\w+\}/);
      expect(Object.isFrozen(err.data)).toBe(true);
      expect(factory.is(err)).toBe(true);
    },
  );

  it('is() matches on code only', () => {
    const err = StoreErrors.schemaTooNew({ databaseVersion: 4, codeVersion: 3 });
    expect(StoreErrors.dialectMismatch.is(err)).toBe(false);
    expect(StoreErrors.schemaTooNew.is(new Error(err.message))).toBe(false);
  });

  it('leaves unknown placeholders visible', () => {
    expect(formatTemplate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
