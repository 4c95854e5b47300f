import { describe, expect, it } from 'vitest';
import { needsPartitions } from '../src/bench-database.js';

describe('bench database preparation by dialect', () => {
  // TimescaleDB makes its chunks itself; running the plain maintainer there failed with
  // '"readings" is not partitioned' (issue #20).
  it.each([
    ['postgres', true],
    ['timescaledb', false],
  ] as const)('%s → partitions made ahead: %s', (dialect, expected) => {
    expect(needsPartitions(dialect)).toBe(expected);
  });
});
