import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type PublishPacket } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { waitUntil } from './source-contract.js';

/**
 * A gateway whose credential the broker refuses for a while — revoked and issued again, rotated,
 * or the broker still loading its accounts after a restart — must connect once it is accepted:
 * readings wait in the spool meanwhile. mqtt.js does not reconnect after a CONNACK refusal unless
 * told to (`reconnectOnConnackError`), and the uplink then stayed offline until the collector was
 * restarted by hand, its spool filling. A real aedes broker whose login check refuses, then accepts.
 */
describe('MqttUplink whose login is refused for a while', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('tries again every reconnect period and connects, announcing itself, once it is accepted', async () => {
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
    await waitUntil(() => refused >= 3, 5000, 'refused attempts');
    expect(uplink.connected).toBe(false);
    accepting = true;
    await waitUntil(() => uplink.connected, 5000, 'connected once accepted');
    await waitUntil(() => published.some((t) => t.endsWith('/status')), 5000, 'its birth published');
  });
});
