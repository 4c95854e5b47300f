import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { providedServices } from '@hazardwatch/testkit';
import { DurableAckSubscriber } from '@hazardwatch/ingest';
import { discardSession, logger, publisher, uid } from './support.js';

/**
 * A TCP proxy to the broker that drops every PINGRESP on the way back: the broker's answers to
 * keepalive pings never arrive, as when they queue behind a backlog of messages.
 */
async function proxyDroppingPingResponses(host: string, port: number): Promise<Server & { port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host, port });
    sockets.add(client).add(upstream);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
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
        if (i >= pending.length || pending.length < i + 1 + length) return;
        const packet = pending.subarray(0, i + 1 + length);
        pending = pending.subarray(i + 1 + length);
        if (packet[0] !== 0xd0) client.write(packet); // 0xd0: PINGRESP
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const close = server.close.bind(server);
  return Object.assign(server, {
    port: (server.address() as AddressInfo).port,
    close: (cb?: (err?: Error) => void) => {
      for (const s of sockets) s.destroy();
      return close(cb);
    },
  });
}

describe('DurableAckSubscriber keepalive', () => {
  const { mqttUrl } = providedServices();
  const broker = new URL(mqttUrl);
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  /** Subscribes through the proxy with a 5 s keepalive and counts reconnects over `ms`. */
  async function reconnectsOver(ms: number, traffic: boolean): Promise<number> {
    const proxy = await proxyDroppingPingResponses(broker.hostname, Number(broker.port || 1883));
    cleanup.push(() => new Promise((r) => proxy.close(() => r(undefined))));
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
