import { commandTopic, parseTopic } from '@hazardwatch/contracts';

/**
 * Who may connect to the MQTT broker and what they may do there — one rule set, enforced by the
 * embedded aedes broker (hooks) and offered to production brokers (EMQX, mosquitto-go-auth) as
 * an HTTP authentication/authorisation hook, so every deployment enforces the same rules.
 *
 * - A gateway (device) authenticates with the username and secret issued for it through the API.
 *   It may publish only its own telemetry and status, and subscribe only to its own command topic.
 * - Platform services (ingestion workers, the load generator) authenticate with a service
 *   credential from configuration and may do everything.
 */
export interface DeviceIdentity {
  readonly enterprise: string;
  readonly gateway: string;
}

export type MqttPrincipal =
  | { readonly kind: 'device'; readonly device: DeviceIdentity; readonly username: string }
  | { readonly kind: 'service'; readonly username: string };

/** A stored device credential: the secret only as a salted hash. */
export interface DeviceCredentialRecord extends DeviceIdentity {
  readonly username: string;
  readonly salt: string;
  readonly secretHash: string;
  readonly revokedAt: number | null;
}

export const MQTT_AUTH_FAILURES = ['no_credentials', 'unknown_user', 'revoked', 'wrong_secret'] as const;
export type MqttAuthFailure = (typeof MQTT_AUTH_FAILURES)[number];

export type MqttAuthResult =
  | { readonly ok: true; readonly principal: MqttPrincipal }
  | { readonly ok: false; readonly reason: MqttAuthFailure };

/** The MQTT username of a gateway: enterprise and gateway codes cannot contain '.', so it is unambiguous. */
export function deviceUsername(device: DeviceIdentity): string {
  return `${device.enterprise}.${device.gateway}`;
}

/** Topics a device may publish to: its own telemetry and status. */
export function deviceMayPublish(device: DeviceIdentity, topic: string): boolean {
  const parsed = parseTopic(topic);
  return (
    parsed !== undefined &&
    parsed.kind !== 'cmd' &&
    parsed.enterprise === device.enterprise &&
    parsed.gateway === device.gateway
  );
}

/** Filters a device may subscribe to: exactly its own command topic (no wildcards). */
export function deviceMaySubscribe(device: DeviceIdentity, filter: string): boolean {
  return filter === commandTopic(device);
}
