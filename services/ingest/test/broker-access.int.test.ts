import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredentialRecord } from '@hazardwatch/core';
import { brokerAccessHooks, startEmbeddedBroker, type EmbeddedBrokerHandle } from '@hazardwatch/ingest';
import { MqttAccessControl, newDeviceSecret } from '@hazardwatch/store';
import { logger, uid, waitFor } from './support.js';

/**
 * With device authentication on, a gateway may publish only its own telemetry and status topics
 * (services/core mqtt-access.ts, the same rule for every broker). Anything else — a malformed
 * topic included — is refused at the embedded broker, which for aedes means the connection is
 * closed (no negative PUBACK, MQTT 3.1.1); every refusal is counted (publishDenied, exported as
 * hazardwatch_mqtt_denied_total{action="publish"}). The platform's own connections are unaffected.
 */
describe('the embedded broker with device authentication', () => {
  const issued = newDeviceSecret();
  const records = new Map<string, DeviceCredentialRecord>([
    [
      'E1.GW01',
      {
        username: 'E1.GW01',
        enterprise: 'E1',
        gateway: 'GW01',
        salt: issued.salt,
        secretHash: issued.secretHash,
        revokedAt: null,
      },
    ],
  ]);
  let access: MqttAccessControl;
  let broker: EmbeddedBrokerHandle;
  let service: MqttClient;
  const received: string[] = [];

  beforeEach(async () => {
    access = new MqttAccessControl({
      lookup: (u) => Promise.resolve(records.get(u)),
      services: new Map([['svc', 'service-password-123']]),
    });
    broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      logger,
      hooks: brokerAccessHooks(access, logger),
    });
    service = await mqtt.connectAsync(broker.url, {
      clientId: uid('svc-'),
      username: 'svc',
      password: 'service-password-123',
      reconnectPeriod: 0,
    });
    received.length = 0;
    service.on('message', (topic) => received.push(topic));
    await service.subscribeAsync({ 'hw/#': { qos: 1 }, '/hw/#': { qos: 1 } });
  });

  afterEach(async () => {
    await service.endAsync(true);
    await broker.close();
  });

  const gateway = () =>
    mqtt.connectAsync(broker.url, {
      clientId: uid('gw-'),
      username: 'E1.GW01',
      password: issued.secret,
      reconnectPeriod: 0,
    });

  it.each([
    ['another gateway', 'hw/v1/E1/GW02/telemetry'],
    ['its own topic with an extra level', 'hw/v1/E1/GW01/telemetry/x'],
    ['its own topic in another case', 'hw/v1/E1/GW01/Telemetry'],
    ['an empty gateway level', 'hw/v1/E1//telemetry'],
    ['a leading slash', '/hw/v1/E1/GW01/telemetry'],
  ])('refuses %s, counts it and closes only that connection', async (_name, topic) => {
    const gw: MqttClient = await gateway();
    const closed = new Promise<void>((resolve) => gw.once('close', () => resolve()));
    gw.publish(topic, '{}', { qos: 1 }, () => undefined);
    await closed;
    await gw.endAsync(true);
    expect(access.counters.publishDenied).toBe(1);
    expect(service.connected).toBe(true);
    const ok = await gateway();
    await ok.publishAsync('hw/v1/E1/GW01/telemetry', '{}', { qos: 1 });
    await ok.endAsync();
    await waitFor(() => received.length === 1, 5000, 'the allowed message');
    expect(received).toEqual(['hw/v1/E1/GW01/telemetry']);
  });
});
