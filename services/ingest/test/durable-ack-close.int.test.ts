import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableAckSubscriber } from '@hazardwatch/ingest';
import { startTcpProxy, type TcpProxy } from '@hazardwatch/testkit';
import { logger, uid, waitFor } from './support.js';

/**
 * Closing the ingest's session must end whatever the broker does. mqtt.js's graceful `end` waits
 * for every packet still awaiting an answer (a SUBSCRIBE from a site change) and, while the
 * connection is down, for a reconnection that `end` itself has cancelled: the shutdown of a
 * service hung there until the CLI's 15 s limit killed it with exit 1 (compose-stack int on CI).
 * A real aedes broker behind a TCP proxy that goes silent (a hung broker, a black-holed network)
 * or is cut.
 */
describe('DurableAckSubscriber.close whatever the broker does', () => {
  let broker: Aedes;
  let server: Server;
  let proxy: TcpProxy;
  let silent = false;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    silent = false;
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    // Downstream: nothing reaches the subscriber once `silent` (its packets still reach the broker).
    proxy = await startTcpProxy(
      '127.0.0.1',
      (server.address() as AddressInfo).port,
      () => (chunk) => (silent ? Buffer.alloc(0) : chunk),
    );
  });

  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    await proxy.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function subscriber(closeGraceMs: number): Promise<DurableAckSubscriber> {
    const sub = new DurableAckSubscriber(
      {
        url: `mqtt://127.0.0.1:${proxy.port}`,
        clientId: uid('hw-t-close-'),
        protocolVersion: 4,
        keepaliveSec: 60,
        reconnectPeriodMs: 200,
        connectTimeoutMs: 5_000,
        receiveMaximum: 100,
        sessionExpirySec: 60,
        subscriptions: ['hwtest/+/data'],
        logger,
        closeGraceMs,
      },
      (_topic, _payload, ticket) => ticket.done(),
    );
    cleanup.push(() => sub.kill());
    await sub.start();
    await waitFor(() => sub.subscribed, 5000, 'subscribed');
    return sub;
  }

  /** Resolves with how long `close()` took, or rejects after `limitMs`. */
  async function timedClose(sub: DurableAckSubscriber, limitMs: number): Promise<number> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      sub.close(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`close() still running after ${limitMs} ms`)), limitMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return Date.now() - started;
  }

  it('a broker that answers: DISCONNECT is sent and the close is quick', async () => {
    const sub = await subscriber(1000);
    let disconnected = false;
    broker.on('clientDisconnect', () => (disconnected = true));
    expect(await timedClose(sub, 5000)).toBeLessThan(900);
    await waitFor(() => disconnected, 2000, 'the broker saw the client go');
    expect(sub.connected).toBe(false);
  });

  it('a broker that stops answering with a SUBSCRIBE in flight: the connection is dropped after the grace', async () => {
    const sub = await subscriber(1000);
    silent = true;
    void sub.setSubscriptions(['hwtest/+/data', 'hwtest/+/status']);
    await waitFor(() => Object.keys(sub.client.outgoing).length > 0, 2000, 'SUBSCRIBE awaiting its SUBACK');
    const ms = await timedClose(sub, 5000);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(sub.connected).toBe(false);
    // It stays down: no reconnection after the close.
    silent = false;
    await new Promise((r) => setTimeout(r, 600));
    expect(sub.connected).toBe(false);
  });

  it('a connection that is down (reconnecting) when closed: it ends at once and does not come back', async () => {
    const sub = await subscriber(1000);
    proxy.cut();
    await waitFor(() => !sub.connected, 2000, 'the subscriber saw the cut');
    expect(await timedClose(sub, 5000)).toBeLessThan(900);
    proxy.restore();
    await new Promise((r) => setTimeout(r, 600));
    expect(sub.connected).toBe(false);
    expect(broker.connectedClients).toBe(0);
  });
});
