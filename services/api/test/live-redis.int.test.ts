import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { tcpOpen } from '@hazardwatch/testkit';
import type { LiveGateway } from '@hazardwatch/api';
import { buildTestApi, E1, type TestApi } from './support/api-fixture.js';
import {
  attachTo,
  connectAs,
  next,
  storeAlarm,
  TestLiveSource,
  urlOf,
  type LiveClient,
} from './live-fixture.js';

/** The Redis of this environment (issue 4: "test it with two gateway instances on the real Redis here"). */
const REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_PORT = 6379;
// Redis is optional in production (several gateway instances); a machine without it (a fresh
// laptop) skips this suite, the CI machines run Redis and so run it.
const redisUp = await tcpOpen('127.0.0.1', REDIS_PORT);

let api: TestApi;
beforeAll(async () => {
  api = await buildTestApi();
});
afterAll(() => api.close());

const listening = async (): Promise<Server> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Sockets still open to Redis or to one of the given servers' ports. */
function openSockets(ports: readonly number[]): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => {
    const s = h as Partial<Socket>;
    return (
      typeof s.remotePort === 'number' &&
      !s.destroyed &&
      (s.remotePort === REDIS_PORT || ports.includes(s.remotePort) || ports.includes(s.localPort ?? -1))
    );
  }).length;
}

describe.skipIf(!redisUp)('two gateway instances sharing rooms through the Redis streams adapter', () => {
  const servers: Server[] = [];
  const gateways: LiveGateway[] = [];
  const clients: LiveClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const g of gateways.splice(0)) await g.close();
    for (const s of servers.splice(0)) await closeServer(s);
  });

  it('delivers an event published on instance A to a client of instance B, and close() leaves no open handle', async () => {
    const streamName = `hw-live-test-${randomUUID()}`;
    const source = new TestLiveSource();
    const [httpA, httpB] = [await listening(), await listening()];
    servers.push(httpA, httpB);
    const ports = [httpA, httpB].map((s) => Number(new URL(urlOf(s)).port));
    const a = await attachTo(api, httpA, {
      source,
      redisUrl: REDIS_URL,
      redisStreamName: streamName,
      redisBlockMs: 200,
    });
    const b = await attachTo(api, httpB, {
      redisUrl: REDIS_URL,
      redisStreamName: streamName,
      redisBlockMs: 200,
    });
    gateways.push(a, b);

    const onB = await connectAs(urlOf(httpB), api, 'opE1');
    clients.push(onB);
    expect(
      await onB.timeout(5000).emitWithAck('subscribe', { scopes: [{ type: 'enterprise', code: E1 }] }),
    ).toMatchObject({ ok: true });
    // Instance A sees B's socket in B's room once the instances have found each other.
    await vi.waitFor(
      async () =>
        expect((await a.io.in(`enterprise:${E1}`).fetchSockets()).map((s) => s.id)).toContain(onB.id),
      { timeout: 10_000, interval: 50 },
    );

    const event = await storeAlarm(api, api.site.pointByKey(E1, 'LT-1101')!.id);
    const got = next(onB, 'alarm', (e) => e.alarmId === event.alarmId);
    source.live.stored({ alarmEvents: [event], colourChanges: [], warningEvents: [] });
    expect(await got).toMatchObject({ alarmId: event.alarmId, enterprise: E1, replayed: false });
    expect(b.clients).toBe(1);

    // The probe sees the live connections (clients, Redis) before close, and none after.
    expect(openSockets(ports)).toBeGreaterThan(0);
    onB.disconnect();
    clients.splice(0);
    for (const g of gateways.splice(0)) await g.close();
    for (const s of servers.splice(0)) await closeServer(s);
    expect(openSockets(ports)).toBe(0);
  });
});
