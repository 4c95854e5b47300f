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
}

/** Counts of refusals, for metrics: every refusal is counted, never silent. */
export interface MqttAccessCounters {
  readonly authFailures: Record<MqttAuthFailure, number>;
  publishDenied: number;
  subscribeDenied: number;
}

export class MqttAccessControl {
  readonly counters: MqttAccessCounters = {
    authFailures: { no_credentials: 0, unknown_user: 0, revoked: 0, wrong_secret: 0 },
    publishDenied: 0,
    subscribeDenied: 0,
  };

  constructor(private readonly options: MqttAccessOptions) {}

  /** A configured platform service user (not a device). */
  isServiceUser(username: string): boolean {
    return this.options.services?.has(username) ?? false;
  }

  async authenticate(
    username: string | undefined,
    password: string | Buffer | undefined,
  ): Promise<MqttAuthResult> {
    const result = await this.check(username, password);
    if (!result.ok) this.counters.authFailures[result.reason]++;
    return result;
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
    const record = await this.options.lookup(username);
    if (record === undefined) return { ok: false, reason: 'unknown_user' };
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (!sameText(hashDeviceSecret(secret, record.salt), record.secretHash))
      return { ok: false, reason: 'wrong_secret' };
    return {
      ok: true,
      principal: {
        kind: 'device',
        username,
        device: { enterprise: record.enterprise, gateway: record.gateway },
      },
    };
  }
}

/** Access control over the credentials in the database, plus the configured service users. */
export function mqttAccessFromStore(
  credentials: { byUsername(username: string): Promise<DeviceCredentialRecord | undefined> },
  services: ReadonlyMap<string, string> = new Map(),
): MqttAccessControl {
  return new MqttAccessControl({ lookup: (username) => credentials.byUsername(username), services });
}
