import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  deviceMayPublish,
  deviceMaySubscribe,
  type DeviceCredentialRecord,
  type MqttAuthFailure,
  type MqttAuthResult,
  type MqttPrincipal,
} from '@hazardwatch/core';

/**
 * Device secrets are 256 random bits, so a fast salted SHA-256 is enough to store them (a slow KDF
 * protects guessable human passwords; it would only make every gateway reconnect cost CPU here).
 */
export function hashDeviceSecret(secret: string, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret).digest('hex');
}

/** A new secret (shown once) with the salt and hash to store. */
export function newDeviceSecret(): {
  readonly secret: string;
  readonly salt: string;
  readonly secretHash: string;
} {
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('hex');
  return { secret, salt, secretHash: hashDeviceSecret(secret, salt) };
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export interface MqttAccessOptions {
  /** Finds a device credential by username (the credential store). */
  readonly lookup: (username: string) => Promise<DeviceCredentialRecord | undefined>;
  /** Platform service credentials: username → password. */
  readonly services?: ReadonlyMap<string, string>;
  /**
   * How long `isCurrent` trusts a credential it has read without hearing of a change, ms: the
   * bound on a change nobody announced (`credentialChanged`). @default 30000
   */
  readonly credentialCacheMs?: number;
  /** Clock of that cache, ms since epoch. @default Date.now */
  readonly now?: () => number;
}

/** Counts of refusals, for metrics: every refusal is counted, never silent. */
export interface MqttAccessCounters {
  readonly authFailures: Record<MqttAuthFailure, number>;
  publishDenied: number;
  subscribeDenied: number;
  /** Live sessions closed because their credential was revoked or rotated. */
  sessionsEnded: number;
}

/** Told the username whose credential changed, or undefined when any may have. */
export type CredentialChangeListener = (username: string | undefined) => void;

interface KnownCredential {
  readonly record: DeviceCredentialRecord | undefined;
  readonly readAtMs: number;
}

/**
 * The MQTT access rules over the credential store. A session is tied to the credential it logged
 * in with (its secret hash, which every issue or rotation replaces): `isCurrent` says whether that
 * credential is still the gateway's, unrevoked. Brokers ask it on every publish, so the answer is
 * cached per username, until `credentialChanged` (the API after a change, and PostgreSQL NOTIFY
 * from any process: device-credential-watch.ts) or `credentialCacheMs` ends it.
 */
export class MqttAccessControl {
  readonly counters: MqttAccessCounters = {
    authFailures: { no_credentials: 0, unknown_user: 0, revoked: 0, wrong_secret: 0 },
    publishDenied: 0,
    subscribeDenied: 0,
    sessionsEnded: 0,
  };

  /** The secret hash each device principal logged in with. */
  readonly #loggedInWith = new WeakMap<MqttPrincipal, string>();
  readonly #known = new Map<string, KnownCredential>();
  readonly #reading = new Map<string, Promise<DeviceCredentialRecord | undefined>>();
  readonly #listeners = new Set<CredentialChangeListener>();
  /** Bumped by every change: a read begun before one is not cached. */
  #changes = 0;
  readonly #cacheMs: number;
  readonly #now: () => number;

  constructor(private readonly options: MqttAccessOptions) {
    this.#cacheMs = options.credentialCacheMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** A configured platform service user (not a device). */
  isServiceUser(username: string): boolean {
    return this.options.services?.has(username) ?? false;
  }

  async authenticate(
    username: string | undefined,
    password: string | Buffer | undefined,
  ): Promise<MqttAuthResult> {
    const changes = this.#changes;
    let result = await this.check(username, password);
    // A change announced while the credential was read may have been read before it: read again,
    // so a login racing a rotation or revocation is judged on the credential as it now is.
    if (this.#changes !== changes) result = await this.check(username, password);
    if (!result.ok) this.counters.authFailures[result.reason]++;
    return result;
  }

  /**
   * Whether the credential the principal logged in with is still the gateway's and not revoked
   * (always, for a service user). A device principal not made by `authenticate` is never current.
   */
  async isCurrent(principal: MqttPrincipal): Promise<boolean> {
    if (principal.kind === 'service') return true;
    const loggedInWith = this.#loggedInWith.get(principal);
    if (loggedInWith === undefined) return false;
    const record = await this.#current(principal.username);
    return record !== undefined && record.revokedAt === null && sameText(record.secretHash, loggedInWith);
  }

  /**
   * A credential was issued, rotated or revoked (`username`), or any may have been (undefined):
   * what was cached is forgotten and the listeners (brokers closing sessions) are told.
   */
  credentialChanged(username?: string): void {
    this.#changes++;
    if (username === undefined) {
      this.#known.clear();
      this.#reading.clear();
    } else {
      this.#known.delete(username);
      this.#reading.delete(username);
    }
    for (const listener of this.#listeners) listener(username);
  }

  /** @returns a function that stops listening. */
  onCredentialChanged(listener: CredentialChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The stored credential, read at most once per change or `credentialCacheMs`. */
  #current(username: string): Promise<DeviceCredentialRecord | undefined> {
    const known = this.#known.get(username);
    if (known && this.#now() - known.readAtMs < this.#cacheMs) return Promise.resolve(known.record);
    const pending = this.#reading.get(username);
    if (pending) return pending;
    const changes = this.#changes;
    const reading = this.options.lookup(username).then(
      (record) => {
        if (this.#changes === changes) this.#known.set(username, { record, readAtMs: this.#now() });
        return record;
      },
      (err: unknown) => {
        // Only an expired read may stand in when the store does not answer; after a change, refuse.
        if (known && this.#changes === changes) return known.record;
        throw err;
      },
    );
    const settled = (): void => {
      if (this.#reading.get(username) === reading) this.#reading.delete(username);
    };
    void reading.then(settled, settled);
    this.#reading.set(username, reading);
    return reading;
  }

  mayPublish(principal: MqttPrincipal, topic: string): boolean {
    const ok = principal.kind === 'service' || deviceMayPublish(principal.device, topic);
    if (!ok) this.counters.publishDenied++;
    return ok;
  }

  maySubscribe(principal: MqttPrincipal, filter: string): boolean {
    const ok = principal.kind === 'service' || deviceMaySubscribe(principal.device, filter);
    if (!ok) this.counters.subscribeDenied++;
    return ok;
  }

  private async check(
    username: string | undefined,
    password: string | Buffer | undefined,
  ): Promise<MqttAuthResult> {
    if (!username || password === undefined || password.length === 0)
      return { ok: false, reason: 'no_credentials' };
    const secret = typeof password === 'string' ? password : password.toString('utf8');
    const service = this.options.services?.get(username);
    if (service !== undefined) {
      return sameText(service, secret)
        ? { ok: true, principal: { kind: 'service', username } }
        : { ok: false, reason: 'wrong_secret' };
    }
    // Always the store itself, never the cache: a login is refused the moment a change is stored,
    // whether or not this process has heard of it (the HTTP hook of an `api` process hears nothing).
    const changes = this.#changes;
    const record = await this.options.lookup(username);
    if (record === undefined) return { ok: false, reason: 'unknown_user' };
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (!sameText(hashDeviceSecret(secret, record.salt), record.secretHash))
      return { ok: false, reason: 'wrong_secret' };
    if (this.#changes === changes) this.#known.set(username, { record, readAtMs: this.#now() });
    const principal: MqttPrincipal = {
      kind: 'device',
      username,
      device: { enterprise: record.enterprise, gateway: record.gateway },
    };
    this.#loggedInWith.set(principal, record.secretHash);
    return { ok: true, principal };
  }
}

/** Access control over the credentials in the database, plus the configured service users. */
export function mqttAccessFromStore(
  credentials: { byUsername(username: string): Promise<DeviceCredentialRecord | undefined> },
  services: ReadonlyMap<string, string> = new Map(),
): MqttAccessControl {
  return new MqttAccessControl({ lookup: (username) => credentials.byUsername(username), services });
}
