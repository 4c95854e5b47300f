import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { waitUntil } from './source-contract.js';

/**
 * A gateway whose credential the broker refuses for a while — revoked and issued again, rotated,
 * or the broker still loading its accounts after a restart — must connect once it is accepted:
 * readings wait in the spool meanwhile. mqtt.js does not reconnect after a CONNACK refusal unless
 * told to (`reconnectOnConnackError`), and the uplink then stayed offline until the collector was
 * restarted by hand, its spool filling. A real aedes broker whose login check refuses, then accepts.
 * Tried again at its fixed period, the refused login looked like a brute-force attack to the
 * broker's owner; it backs off now (period, 2×, 4×, …), and after it is accepted a plain loss
 * reconnects after the normal period again.
 */
describe('MqttUplink whose login is refused for a while', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('tries again, backing off, and connects, announcing itself, once it is accepted', async () => {
    let accepting = false;
    let refused = 0;
    const published: string[] = [];
    const broker = await Aedes.createBroker({
      authenticate: (_client, username, password, callback) => {
        if (accepting && username === 'E1.GW1' && password?.toString() === 'secret-secret') {
          callback(null, true);
          return;
        }
        refused++;
        callback(Object.assign(new Error('not authorized'), { returnCode: 5 as const }), false);
      },
    });
    broker.on('publish', (packet: PublishPacket, client) => {
      if (client) published.push(packet.topic);
    });
    const connected = new Set<Client>();
    broker.on('clientReady', (client) => connected.add(client));
    broker.on('clientDisconnect', (client) => connected.delete(client));
    const server: Server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const uplink = new MqttUplink({
      url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
      clientId: 'gw-refused-test',
      username: 'E1.GW1',
      password: 'secret-secret',
      enterprise: 'E1',
      gateway: 'GW1',
      version: '9.9.9-test',
      keepaliveSec: 5,
      reconnectPeriodMs: 100,
      connectTimeoutMs: 2000,
      heartbeatIntervalMs: 60_000,
      statusProvider: () => ({ spoolDepth: 0, spoolBytes: 0, sources: [] }),
    });
    cleanup.push(() => uplink.close());
    uplink.start();
    // Refused for 2 s: at its fixed 100 ms period ~20 attempts; backing off at 0, 0.1, 0.3, 0.7
    // and 1.5 s (less up to 10 % jitter).
    await new Promise((r) => setTimeout(r, 2000));
    expect(refused).toBeGreaterThanOrEqual(4);
    expect(refused).toBeLessThanOrEqual(6);
    expect(uplink.connected).toBe(false);
    accepting = true;
    await waitUntil(() => uplink.connected, 5000, 'connected once accepted');
    await waitUntil(() => published.some((t) => t.endsWith('/status')), 5000, 'its birth published');
    // A plain loss now: back after the normal period, not the backoff's next delay (≥ 1.6 s).
    for (const client of connected) client.close();
    const lostAt = Date.now();
    await waitUntil(() => !uplink.connected, 5000, 'connection lost');
    await waitUntil(() => uplink.connected, 5000, 'reconnected');
    expect(Date.now() - lostAt).toBeLessThan(1000);
  });
});
