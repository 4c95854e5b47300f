import { storeErrors } from './errors.js';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Order 40 / REFERENCE §8 item 17: raw electronic records are kept ≥ 30 days. */
export const MIN_RAW_RETENTION_DAYS = 30;

/** Retention and compression settings as configured (days, the unit operators think in). */
export interface RetentionOptions {
  /** Raw readings kept, days; never below 30 (Order 40). @default 30 */
  rawRetentionDays?: number;
  /** 1-minute rollups kept, days. @default 180 */
  rollup1mRetentionDays?: number;
  /** 1-hour rollups kept, days. @default 1826 (5 years) */
  rollup1hRetentionDays?: number;
  /** TimescaleDB only: compress raw chunks older than this, days. @default 7 */
  compressAfterDays?: number;
}

/** Normal form (STYLE rule 6): unit-suffixed milliseconds, frozen. */
export interface Retention {
  readonly rawRetentionMs: number;
  readonly rollup1mRetentionMs: number;
  readonly rollup1hRetentionMs: number;
  readonly compressAfterMs: number;
}

function days(key: keyof RetentionOptions, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) {
    throw storeErrors.create('HW_STORE_CONFIG_INVALID', {
      key,
      reason: `must be an integer ≥ ${min} days, got ${String(v)}`,
    });
  }
  return v * MS_PER_DAY;
}

export function compileRetention(options: RetentionOptions = {}): Retention {
  const rawRetentionMs = days('rawRetentionDays', options.rawRetentionDays, 30, MIN_RAW_RETENTION_DAYS);
  const rollup1mRetentionMs = days('rollup1mRetentionDays', options.rollup1mRetentionDays, 180, 1);
  const rollup1hRetentionMs = days('rollup1hRetentionDays', options.rollup1hRetentionDays, 1826, 1);
  const compressAfterMs = days('compressAfterDays', options.compressAfterDays, 7, 1);
  // Rollups exist to outlive raw data; a shorter rollup retention would silently lose history.
  if (rollup1mRetentionMs < rawRetentionMs) {
    throw storeErrors.create('HW_STORE_CONFIG_INVALID', {
      key: 'rollup1mRetentionDays',
      reason: 'must be ≥ rawRetentionDays',
    });
  }
  if (rollup1hRetentionMs < rollup1mRetentionMs) {
    throw storeErrors.create('HW_STORE_CONFIG_INVALID', {
      key: 'rollup1hRetentionDays',
      reason: 'must be ≥ rollup1mRetentionDays',
    });
  }
  return Object.freeze({ rawRetentionMs, rollup1mRetentionMs, rollup1hRetentionMs, compressAfterMs });
}

/**
 * PostgreSQL interval literal for a millisecond count: whole days when exact (so policies read
 * "30 days" in timescaledb_information.jobs), else milliseconds.
 */
export function msInterval(ms: number): string {
  const whole = Math.round(ms);
  return whole % MS_PER_DAY === 0 ? `${whole / MS_PER_DAY} days` : `${whole} milliseconds`;
}
