import { afterEach, describe, expect, it } from 'vitest';
import { providedServices, startTcpProxy } from '@hazardwatch/testkit';
import { DurableAckSubscriber } from '@hazardwatch/ingest';
import { discardSession, logger, publisher, uid } from './support.js';

/**
 * Drops every PINGRESP the broker sends back: its answers to keepalive pings never arrive, as when
 * they queue behind a backlog of messages.
 */
const dropPingResponses = () => {
  let pending = Buffer.alloc(0);
  return (chunk: Buffer): Buffer => {
    pending = Buffer.concat([pending, chunk]);
    const kept: Buffer[] = [];
    // MQTT framing: one type byte, a variable-length remaining length, then the rest.
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let i = 1;
      for (; i < pending.length && i <= 4; i++) {
        length += (pending[i]! & 0x7f) * multiplier;
        multiplier *= 128;
        if ((pending[i]! & 0x80) === 0) break;
      }
      if (i >= pending.length || pending.length < i + 1 + length) break;
      const packet = pending.subarray(0, i + 1 + length);
      pending = pending.subarray(i + 1 + length);
      if (packet[0] !== 0xd0) kept.push(packet); // 0xd0: PINGRESP
    }
    return Buffer.concat(kept);
  };
};

describe('DurableAckSubscriber keepalive', () => {
  const { mqttUrl } = providedServices();
  const broker = new URL(mqttUrl);
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  /** Subscribes through the proxy with a 5 s keepalive and counts reconnects over `ms`. */
  async function reconnectsOver(ms: number, traffic: boolean): Promise<number> {
    const proxy = await startTcpProxy(broker.hostname, Number(broker.port || 1883), dropPingResponses);
    cleanup.push(() => proxy.close());
    const clientId = uid('hw-t-keepalive-');
    const topic = `hwtest/${clientId}/data`;
    cleanup.push(() => discardSession(mqttUrl, clientId));
    const subscriber = new DurableAckSubscriber(
      {
        url: `mqtt://127.0.0.1:${proxy.port}`,
        clientId,
        protocolVersion: 4,
        keepaliveSec: 5,
        reconnectPeriodMs: 200,
        connectTimeoutMs: 5_000,
        receiveMaximum: 100,
        sessionExpirySec: 60,
        subscriptions: [topic],
        logger,
      },
      (_topic, _payload, ticket) => ticket.done(),
    );
    cleanup.push(() => subscriber.close());
    let connects = 0;
    (subscriber as unknown as { client: { on(e: string, f: () => void): void } }).client.on(
      'connect',
      () => void connects++,
    );
    await subscriber.start();
    const pub = await publisher(mqttUrl);
    cleanup.push(() => pub.endAsync());
    await new Promise((r) => setTimeout(r, 500)); // subscribed
    const started = Date.now();
    while (Date.now() - started < ms) {
      if (traffic) await pub.publishAsync(topic, 'x', { qos: 1 });
      await new Promise((r) => setTimeout(r, 250));
    }
    return connects - 1;
  }

  it('stays connected while messages arrive, even when no ping is ever answered', async () => {
    expect(await reconnectsOver(10_000, true)).toBe(0);
  }, 20_000);

  it('still drops a connection on which nothing arrives and pings go unanswered', async () => {
    expect(await reconnectsOver(10_000, false)).toBeGreaterThanOrEqual(1);
  }, 20_000);
});
