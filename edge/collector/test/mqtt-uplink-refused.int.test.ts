import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer } from '../src/health-server.js';
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
 *
 * The field engineer commissioning the gateway reads the collector's local health: it must tell
 * a refused login (call the platform admin for a new credential) from a network or broker that is
 * down. While refused, `/healthz` says so with the broker's reason and CONNACK code, since when,
 * and when the next attempt comes; once accepted that is gone. The refusal is logged at warn once,
 * not once per attempt (before: an `mqtt error` and an `uplink disconnected` line per attempt).
 */
interface Healthz {
  status: string;
  uplink: {
    connected: boolean;
    refused?: {
      reason: string;
      code: number;
      since: string;
      forSec: number;
      attempts: number;
      nextAttemptInSec?: number;
    };
  };
}

interface LogLine {
  level: number;
  msg: string;
  component?: string;
  code?: number;
}

/** The backoff's own line (kit), at warn once per change of delay, documented apart. */
const BACKOFF_LINE = 'login refused: backing off before the next attempt';
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
    const lines: LogLine[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
    const warnings = (): string[] =>
      lines.filter((l) => l.level === 40 && l.msg !== BACKOFF_LINE).map((l) => l.msg);
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
      logger,
    });
    cleanup.push(() => uplink.close());
    // The collector's local health server, as startCollector wires it, serving this uplink.
    const health = await startHealthServer(
      { host: '127.0.0.1', port: 0 },
      {
        uplink,
        ackTimeoutMs: 10_000,
        spool: { depth: () => ({ entries: 0, readings: 0, bytes: 0 }) },
        forwarder: {
          stats: () => ({
            submitted: 0,
            published: 0,
            replayed: 0,
            acknowledged: 0,
            failed: 0,
            dropped: 0,
            rejected: 0,
            liveInflight: 0,
            replayInflight: 0,
          }),
        },
        sources: [],
        filter: { passed: 0, suppressed: 0 },
        gateway: { enterprise: 'E1', gateway: 'GW1' },
      },
    );
    cleanup.push(() => health.close());
    const healthz = async (): Promise<Healthz> =>
      (await (await fetch(`http://127.0.0.1:${health.port}/healthz`)).json()) as Healthz;
    const metrics = async (): Promise<string> =>
      (await fetch(`http://127.0.0.1:${health.port}/metrics`)).text();
    const startedAt = Date.now();
    uplink.start();
    // Refused for 2 s: at its fixed 100 ms period ~20 attempts; backing off at 0, 0.1, 0.3, 0.7
    // and 1.5 s (less up to 10 % jitter).
    await new Promise((r) => setTimeout(r, 2000));
    expect(refused).toBeGreaterThanOrEqual(4);
    expect(refused).toBeLessThanOrEqual(6);
    expect(uplink.connected).toBe(false);
    // What the field engineer sees: refused by the broker, not merely "not connected".
    const refusedHealth = await healthz();
    expect(refusedHealth.status).toBe('degraded');
    expect(refusedHealth.uplink.connected).toBe(false);
    expect(refusedHealth.uplink.refused).toMatchObject({
      reason: 'Connection refused: Not authorized',
      code: 5,
      attempts: refused,
    });
    const r = refusedHealth.uplink.refused!;
    expect(Date.parse(r.since)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(r.since)).toBeLessThan(startedAt + 1000);
    expect(r.forSec).toBeGreaterThan(1);
    expect(r.forSec).toBeLessThan(5);
    // After at most 6 refusals the next delay is at most 100 ms × 2^5.
    expect(r.nextAttemptInSec).toBeGreaterThanOrEqual(0);
    expect(r.nextAttemptInSec).toBeLessThanOrEqual(3.2);
    expect(await metrics()).toMatch(/^hw_edge_uplink_login_refused 1$/m);
    // Said once at warn, not once per attempt.
    expect(warnings()).toEqual(['uplink login refused']);
    expect(lines.find((l) => l.msg === 'uplink login refused')).toMatchObject({
      component: 'uplink',
      code: 5,
    });

    accepting = true;
    await waitUntil(() => uplink.connected, 5000, 'connected once accepted');
    await waitUntil(() => published.some((t) => t.endsWith('/status')), 5000, 'its birth published');
    const acceptedHealth = await healthz();
    expect(acceptedHealth).toMatchObject({ status: 'ok', uplink: { connected: true } });
    expect(acceptedHealth.uplink.refused).toBeUndefined();
    expect(await metrics()).toMatch(/^hw_edge_uplink_login_refused 0$/m);
    // A plain loss now: back after the normal period, not the backoff's next delay (≥ 1.6 s).
    for (const client of connected) client.close();
    const lostAt = Date.now();
    await waitUntil(() => !uplink.connected, 5000, 'connection lost');
    await waitUntil(() => uplink.connected, 5000, 'reconnected');
    expect(Date.now() - lostAt).toBeLessThan(1000);
    // The plain loss is an ordinary disconnection, logged as before; no refusal any more.
    expect((await healthz()).uplink.refused).toBeUndefined();
    expect(warnings()).toEqual(['uplink login refused', 'uplink disconnected']);
  });
});
