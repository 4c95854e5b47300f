import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredentialRecord } from '@hazardwatch/core';
import {
  brokerAccessHooks,
  startEmbeddedBroker,
  type EmbeddedBrokerHandle,
} from '@hazardwatch/ingest/embedded-broker';
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

/**
 * Issue #17 item 1: a session lasts only as long as the credential it logged in with. A change
 * the access control hears of (the API, or NOTIFY from another process) closes the sessions of the
 * old credential, and every publish asks whether its credential is still current, so one that
 * reaches the broker while the session is being closed is refused, not forwarded to the ingest.
 */
describe('the embedded broker when a credential changes', () => {
  const first = newDeviceSecret();
  const record = (secret: { salt: string; secretHash: string }, revokedAt: number | null) => ({
    username: 'E1.GW01',
    enterprise: 'E1',
    gateway: 'GW01',
    salt: secret.salt,
    secretHash: secret.secretHash,
    revokedAt,
  });
  let records: Map<string, DeviceCredentialRecord>;
  /** While set, credential reads wait for it (what a slow store does). */
  let held: Promise<void> | undefined;
  let checks: number;
  let access: MqttAccessControl;
  let broker: EmbeddedBrokerHandle;
  let service: MqttClient;
  const received: string[] = [];

  /** Counts the credential checks the broker asks for (a peer we own). */
  class CountingAccess extends MqttAccessControl {
    override isCurrent(principal: Parameters<MqttAccessControl['isCurrent']>[0]): Promise<boolean> {
      checks++;
      return super.isCurrent(principal);
    }
  }

  beforeEach(async () => {
    records = new Map([['E1.GW01', record(first, null)]]);
    held = undefined;
    checks = 0;
    access = new CountingAccess({
      lookup: async (u) => {
        if (held) await held;
        return records.get(u);
      },
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
    service.on('message', (_topic, payload) => received.push(payload.toString()));
    await service.subscribeAsync({ 'hw/#': { qos: 1 } });
  });

  afterEach(async () => {
    await service.endAsync(true);
    await broker.close();
  });

  const connect = (secret: string) =>
    mqtt.connectAsync(broker.url, {
      clientId: uid('gw-'),
      username: 'E1.GW01',
      password: secret,
      reconnectPeriod: 0,
    });
  const closedPromise = (client: MqttClient) =>
    new Promise<void>((resolve) => client.once('close', () => resolve()));

  it('closes the session of a revoked credential, only that one, and counts it', async () => {
    const gw = await connect(first.secret);
    const closed = closedPromise(gw);
    records.set('E1.GW01', record(first, Date.now()));
    access.credentialChanged('E1.GW01');
    await closed;
    expect(access.counters.sessionsEnded).toBe(1);
    expect(service.connected).toBe(true);
    await expect(connect(first.secret)).rejects.toMatchObject({ code: 4 });
  });

  it('closes the old secret’s session on a rotation and keeps the new one', async () => {
    const old = await connect(first.secret);
    const second = newDeviceSecret();
    records.set('E1.GW01', record(second, null));
    const renewed = await connect(second.secret);
    const closed = closedPromise(old);
    access.credentialChanged('E1.GW01');
    await closed;
    await renewed.publishAsync('hw/v1/E1/GW01/telemetry', 'renewed', { qos: 1 });
    await waitFor(() => received.includes('renewed'), 5000, 'the new session’s message');
    expect(renewed.connected).toBe(true);
    expect(access.counters.sessionsEnded).toBe(1);
    await renewed.endAsync();
  });

  it('refuses a publish that reaches the broker before the session is closed', async () => {
    const gw = await connect(first.secret);
    const before = checks;
    let release = (): void => undefined;
    held = new Promise((resolve) => (release = resolve));
    records.set('E1.GW01', record(first, Date.now()));
    access.credentialChanged('E1.GW01');
    const closed = closedPromise(gw);
    gw.publish('hw/v1/E1/GW01/telemetry', 'after-revoke', { qos: 1 }, () => undefined);
    // The session check and the publish's own check are both waiting for the store.
    await waitFor(() => checks >= before + 2, 5000, 'the publish at the broker');
    release();
    await closed;
    await service.publishAsync('hw/v1/E1/GW02/telemetry', 'marker', { qos: 1 });
    await waitFor(() => received.includes('marker'), 5000, 'the marker');
    expect(received).not.toContain('after-revoke');
    expect(access.counters.publishDenied).toBe(1);
  });

  it('does not close a session whose credential did not change', async () => {
    const gw = await connect(first.secret);
    access.credentialChanged();
    access.credentialChanged('E1.GW01');
    await gw.publishAsync('hw/v1/E1/GW01/telemetry', 'still-here', { qos: 1 });
    await waitFor(() => received.includes('still-here'), 5000, 'the message');
    expect(gw.connected).toBe(true);
    expect(access.counters.sessionsEnded).toBe(0);
    await gw.endAsync();
  });
});
