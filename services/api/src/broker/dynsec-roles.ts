import { commandTopic, statusTopic, telemetryTopic } from '@hazardwatch/contracts';
import type { DeviceIdentity } from '@hazardwatch/core';
import type { DynsecAcl } from './dynsec-client.js';

/**
 * The per-gateway topic ACL of core/mqtt-access.ts (deviceMayPublish, deviceMaySubscribe) as
 * dynamic-security role ACLs: publish its own telemetry and status, subscribe to exactly its own
 * command topic. Everything else falls to the plugin's defaults, deny for publishClientSend and
 * subscribe. Mosquitto 2.0.11 has no %u/%c substitution in role ACLs, hence one role per gateway.
 */
export function gatewayAcls(device: DeviceIdentity): DynsecAcl[] {
  return [
    { acltype: 'publishClientSend', topic: telemetryTopic(device), allow: true },
    { acltype: 'publishClientSend', topic: statusTopic(device), allow: true },
    { acltype: 'subscribeLiteral', topic: commandTopic(device), allow: true },
  ];
}

/** Role of one gateway, named after its MQTT username (`<enterprise>.<gateway>`). */
export const gatewayRole = (username: string): string => `hw-gateway-${username}`;

/** Role of the platform's own MQTT login (ingest workers): everything outside `$` topics. */
export const SERVICE_ROLE = 'hw-service';

/**
 * `#` matches no `$` topic (MQTT 3.1.1 §4.7.2), so the service role cannot reach the plugin's
 * $CONTROL topics; the explicit denials, at a higher priority, keep it so whatever the filter rules.
 */
export const SERVICE_ACLS: readonly DynsecAcl[] = [
  { acltype: 'publishClientSend', topic: '$CONTROL/#', allow: false, priority: 10 },
  { acltype: 'subscribePattern', topic: '$CONTROL/#', allow: false, priority: 10 },
  { acltype: 'publishClientSend', topic: '#', allow: true },
  { acltype: 'subscribePattern', topic: '#', allow: true },
];

/** A dynsec username that can only be a gateway's: `<enterprise>.<gateway>` in the topic alphabet. */
export const GATEWAY_USERNAME = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$/;
