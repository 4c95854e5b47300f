import { describe, expect, it } from 'vitest';
import { asConnectionLost, isRetryableStorageError, sqlState, storeErrors } from '@hazardwatch/store';

const withCode = (code: string): Error => Object.assign(new Error(`failed: ${code}`), { code });

describe('storage error classification', () => {
  // Retrying helps only while the database or the way to it is unavailable; a retried permanent
  // error would hold every later acknowledgement of the ingest behind it forever.
  it.each([
    ['ECONNREFUSED', withCode('ECONNREFUSED'), true],
    ['ECONNRESET', withCode('ECONNRESET'), true],
    ['EPIPE (five letters, not a SQLSTATE)', withCode('EPIPE'), true],
    ['08006 connection failure', withCode('08006'), true],
    ['57P01 admin shutdown', withCode('57P01'), true],
    ['40001 serialization failure', withCode('40001'), true],
    ['40P01 deadlock', withCode('40P01'), true],
    ['53300 too many connections', withCode('53300'), true],
    [
      'HW_STORE_CONNECTION_LOST',
      storeErrors.create('HW_STORE_CONNECTION_LOST', { operation: 'query' }),
      true,
    ],
    ['TypeError', new TypeError("Cannot read properties of undefined (reading 'id')"), false],
    ['RangeError', new RangeError('Invalid array length'), false],
    ['a bare Error (not from a driver call)', new Error('bug'), false],
    ['22P02 invalid text representation', withCode('22P02'), false],
    ['23505 unique violation', withCode('23505'), false],
    ['42P01 undefined table', withCode('42P01'), false],
    ['ENOENT', withCode('ENOENT'), false],
    [
      'a non-retryable store error',
      storeErrors.create('HW_STORE_CONFIG_INVALID', { key: 'k', reason: 'r' }),
      false,
    ],
    ['a thrown string', 'boom', false],
    ['undefined', undefined, false],
  ])('%s → retryable %s', (_name, error, retryable) => {
    expect(isRetryableStorageError(error)).toBe(retryable);
  });

  it('reads SQLSTATEs and nothing that merely looks like one', () => {
    expect(sqlState(withCode('23505'))).toBe('23505');
    expect(sqlState(withCode('XX000'))).toBe('XX000');
    expect(sqlState(withCode('EPIPE'))).toBeUndefined();
    expect(sqlState(withCode('ECONNRESET'))).toBeUndefined();
  });

  it("names the driver's bare connection errors and leaves everything else as it is", () => {
    // node-postgres: 'Connection terminated unexpectedly', pool: 'timeout exceeded when trying to connect'.
    const bare = new Error('Connection terminated unexpectedly');
    const named = asConnectionLost(bare, 'COPY readings');
    expect(storeErrors.is(named, 'HW_STORE_CONNECTION_LOST')).toBe(true);
    expect((named as Error).cause).toBe(bare);
    expect(isRetryableStorageError(named)).toBe(true);
    for (const other of [new TypeError('x'), withCode('23505'), withCode('ECONNRESET')])
      expect(asConnectionLost(other, 'query')).toBe(other);
  });
});
