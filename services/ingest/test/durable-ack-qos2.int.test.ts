import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableAckSubscriber, type AckTicket } from '@hazardwatch/ingest';
import { logger, uid, waitFor } from './support.js';

/**
 * A broker that delivers QoS 2 to the ingest's QoS 1 subscription. aedes 1.2 itself does (it
 * downgrades only when the subscription is the topic itself, never through a wildcard), and the
 * subscriber must be correct with any broker that does so: the content of a QoS 2 message becomes
 * the ingest's responsibility at PUBREC (MQTT 3.1.1 §4.3.3, MQTT 5 §4.3.3: after PUBREC the sender
 * only re-sends PUBREL), so PUBREC must wait until the content is durable.
 */
describe('DurableAckSubscriber with QoS 2 deliveries', () => {
  let broker: Aedes;
  let server: Server;
  let url: string;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    // The bare aedes broker, not startEmbeddedBroker: that one downgrades to the granted QoS.
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A subscriber whose tickets the test completes by hand ("durable" when the test says so). */
  async function subscriber(clientId: string, filter: string) {
    const received: Array<{ payload: string; qos: number; ticket: AckTicket }> = [];
    const sub = new DurableAckSubscriber(
      {
        url,
        clientId,
        protocolVersion: 4,
        keepaliveSec: 30,
        reconnectPeriodMs: 100,
        connectTimeoutMs: 5_000,
        receiveMaximum: 100,
        sessionExpirySec: 60,
        subscriptions: [filter],
        logger,
      },
      (_topic, payload, ticket) => received.push({ payload: payload.toString(), qos: -1, ticket }),
    );
    const qos = new Map<string, number>();
    sub.client.on('packetreceive', (p) => {
      if (p.cmd === 'publish') qos.set(p.payload.toString(), p.qos);
    });
    await sub.start();
    await waitFor(() => broker.connectedClients >= 1, 5000, 'subscriber connected');
    // SUBACK: the subscription is in place once the client has no subscribe in flight.
    await waitFor(() => Object.keys(sub.client.messageIdToTopic).length === 0, 5000, 'suback');
    return { sub, received, qos };
  }

  async function device(): Promise<MqttClient> {
    const c = await mqtt.connectAsync(url, { clientId: uid('dev-'), clean: true });
    cleanup.push(() => c.endAsync(true));
    return c;
  }

  it('keeps acknowledging after QoS 2 deliveries mixed with QoS 1 and 0', async () => {
    const { sub, received, qos } = await subscriber(uid('hw-t-q2-'), 'hwtest/+/data');
    cleanup.push(() => sub.close());
    const dev = await device();
    const plan = Array.from({ length: 30 }, (_, i) => ({ payload: `m${i}`, qos: (i % 3) as 0 | 1 | 2 }));
    // Every publish completes for the device (PUBACK / PUBCOMP from the broker).
    await Promise.all(plan.map((m) => dev.publishAsync('hwtest/GW1/data', m.payload, { qos: m.qos })));
    await waitFor(() => received.length === plan.length, 10_000, 'every message handed over');
    // Precondition: this broker really delivers QoS 2 to the QoS 1 subscription.
    expect(Math.max(...qos.values())).toBe(2);
    for (const r of received) r.ticket.done();
    await waitFor(() => sub.unacknowledged === 0, 10_000, 'every acknowledgement sent');
    expect(received.map((r) => r.payload).sort()).toEqual(plan.map((m) => m.payload).sort());
  });

  it('redelivers a QoS 2 message that was not durable when the ingest died', async () => {
    const clientId = uid('hw-t-q2-crash-');
    const first = await subscriber(clientId, 'hwtest/+/data');
    const dev = await device();
    await dev.publishAsync('hwtest/GW1/data', 'precious', { qos: 2 });
    await waitFor(() => first.received.length === 1, 5000, 'first delivery');
    // Not durable yet: the process dies (no DISCONNECT, nothing acknowledged on purpose).
    await first.sub.kill();

    const second = await subscriber(clientId, 'hwtest/+/data');
    cleanup.push(() => second.sub.close());
    await waitFor(() => second.received.length >= 1, 10_000, 'the message delivered again');
    expect(second.received[0]!.payload).toBe('precious');
    second.received[0]!.ticket.done();
    await waitFor(() => second.sub.unacknowledged === 0, 5000, 'acknowledged once durable');
  });
});
