import { storeErrors } from './errors.js';

/**
 * The SQLSTATE a database error carries, if any. The class (first two characters) is one the
 * standard or PostgreSQL defines, so an errno such as EPIPE (five letters too) is not taken for one.
 */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(?:[0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code)
    ? code
    : undefined;
}

/**
 * SQLSTATEs after which the same statement can succeed later: the connection or the server
 * (class 08, 57P01-57P03 shutdown/restart), a lost race (40001 serialisation, 40P01 deadlock),
 * resources (class 53: too many connections, disk full, out of memory), a lock or statement
 * timeout (55P03, 57014) and system I/O errors (class 58).
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03']);
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '58']);
/** Socket-level failures Node reports (errno codes) on the way to the database. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/**
 * True only when retrying the same write can help: the database or the way to it is unavailable
 * for now. Everything else is permanent — a data or constraint error (class 22/23), a statement
 * the database cannot run (42xxx), a programming error (TypeError …) — and retrying it would hold
 * every later acknowledgement behind it forever. The driver's own connection failures carry no
 * SQLSTATE; the store wraps them as HW_STORE_CONNECTION_LOST (see `asConnectionLost`).
 */
export function isRetryableStorageError(error: unknown): boolean {
  if (storeErrors.is(error)) return error.retryable;
  const state = sqlState(error);
  if (state !== undefined)
    return TRANSIENT_SQLSTATES.has(state) || TRANSIENT_SQLSTATE_CLASSES.has(state.slice(0, 2));
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_ERRNO.has(code);
}

/**
 * An error from a driver call, named for what it is. node-postgres reports a connection that
 * ended or a pool that could not connect in time as a bare `Error` with no code; anything the
 * server said carries a SQLSTATE, and our own bugs are typed (TypeError, RangeError …) — those
 * pass through unchanged, to be classified as they are.
 */
export function asConnectionLost(error: unknown, operation: string): unknown {
  const bare =
    error instanceof Error &&
    Object.getPrototypeOf(error) === Error.prototype &&
    (error as { code?: unknown }).code === undefined;
  return bare ? storeErrors.create('HW_STORE_CONNECTION_LOST', { operation }, { cause: error }) : error;
}
