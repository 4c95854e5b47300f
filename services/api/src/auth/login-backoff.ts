import { backoffDelay } from '@hazardwatch/kit';

export interface LoginBackoffSettings {
  /** Failed logins of one username (from anywhere) before it is held back. */
  readonly usernameFailures: number;
  /** Failed logins from one client address (any username) before it is held back. */
  readonly addressFailures: number;
  /** Wait after the first failure past the threshold, ms; doubles with each further one. */
  readonly baseMs: number;
  /** Longest wait, ms: also the longest anyone can keep a username (e.g. admin) held back. */
  readonly maxMs: number;
  /** A username or address with no failure for this long starts afresh, ms. */
  readonly forgetAfterMs: number;
  /** Entries kept per kind (usernames, addresses); the least recently failed go first. @default 100000 */
  readonly maxKeys?: number;
}

export type LoginAttempt =
  | {
      readonly ok: true;
      /** The password was right: both counters start afresh. */
      succeeded(): void;
    }
  | { readonly ok: false; readonly retryAfterMs: number; readonly by: 'username' | 'address' };

interface Failures {
  count: number;
  lastMs: number;
}

/** Failures per key, least recently failed first (a Map keeps insertion order). */
class FailureBook {
  readonly #entries = new Map<string, Failures>();

  constructor(
    private readonly threshold: number,
    private readonly settings: LoginBackoffSettings,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** ms still to wait, 0 when an attempt may go ahead. */
  waitMs(key: string, nowMs: number): number {
    const entry = this.#current(key, nowMs);
    if (entry === undefined || entry.count < this.threshold) return 0;
    const { baseMs, maxMs } = this.settings;
    // No jitter: a lockout an attacker could shorten by chance is no lockout.
    const delay = backoffDelay(entry.count - this.threshold, { initialMs: baseMs, maxMs, jitter: 'none' });
    return Math.max(0, entry.lastMs + delay - nowMs);
  }

  fail(key: string, nowMs: number): void {
    const count = (this.#current(key, nowMs)?.count ?? 0) + 1;
    this.#entries.delete(key);
    this.#entries.set(key, { count, lastMs: nowMs });
    const max = this.settings.maxKeys ?? 100_000;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= max) break;
      this.#entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  #current(key: string, nowMs: number): Failures | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && nowMs - entry.lastMs >= this.settings.forgetAfterMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

/**
 * Exponential backoff on failed logins (OWASP Authentication Cheat Sheet, "Login Throttling"),
 * per username and per client address. Only failures count; a successful login resets both. The
 * wait is capped (`maxMs`), so a stranger failing on purpose can hold `admin` back for at most
 * that long at a time, never lock it out; behind a reverse proxy the address is the client's only
 * with `trustProxy` set. An attempt counts as a failure from the moment it starts until it
 * succeeds, so parallel guesses cannot all pass the check while the first ones are verified.
 * In memory, per process: several API instances each hold their own counts.
 */
export class LoginBackoff {
  readonly #usernames: FailureBook;
  readonly #addresses: FailureBook;

  constructor(settings: LoginBackoffSettings) {
    this.#usernames = new FailureBook(settings.usernameFailures, settings);
    this.#addresses = new FailureBook(settings.addressFailures, settings);
  }

  get size(): { usernames: number; addresses: number } {
    return { usernames: this.#usernames.size, addresses: this.#addresses.size };
  }

  /** Lets an attempt go ahead (counting it as failed until `succeeded`) or says how long to wait. */
  begin(username: string, address: string, nowMs: number): LoginAttempt {
    const byUsername = this.#usernames.waitMs(username, nowMs);
    if (byUsername > 0) return { ok: false, retryAfterMs: byUsername, by: 'username' };
    const byAddress = this.#addresses.waitMs(address, nowMs);
    if (byAddress > 0) return { ok: false, retryAfterMs: byAddress, by: 'address' };
    this.#usernames.fail(username, nowMs);
    this.#addresses.fail(address, nowMs);
    return {
      ok: true,
      succeeded: () => {
        this.#usernames.forget(username);
        this.#addresses.forget(address);
      },
    };
  }
}
