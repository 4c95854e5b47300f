import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { parseTopic, type GatewayStatus } from '@hazardwatch/contracts';
import { ManualClock } from '@hazardwatch/kit';
import { providedServices, waitFor } from '@hazardwatch/testkit';
import { MqttFleet, loadSimulatedSite } from '@hazardwatch/simulators';
import { CHLOR_ALKALI, EXAMPLE_SITE_YAML } from './example-site.js';

/**
 * Issue #21: the data-quality view showed a backlog for every simulated gateway equal to its point
 * count. The heartbeat's `spoolDepth` ("readings waiting in the gateway's disk spool") was the
 * count of readings in flight to the broker, and the heartbeat goes out right after the tick's
 * batch was handed to the client, so it always read one batch. A live gateway's spool is empty;
 * only what a network outage left in it, and not yet replayed, waits there.
 */
const logger = pino({ level: 'silent' });
const uid = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

describe('simulated gateway heartbeat: spool depth', () => {
  const { mqttUrl } = providedServices();
  const fleets: MqttFleet[] = [];
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const f of fleets.splice(0)) await f.stop();
    for (const c of clients.splice(0)) await c.endAsync(true);
  });

  it('is 0 while online, and the spooled readings not yet replayed after an outage', async () => {
    const site = loadSimulatedSite(EXAMPLE_SITE_YAML);
    // A clock of our own, an hour back with a random offset: other runs' messages never match it.
    let now = Date.now() - 3_600_000 - Math.floor(Math.random() * 1_000_000);
    const base = now;
    const sub = await mqtt.connectAsync(mqttUrl, { clientId: uid('hw-spool-sub-'), reconnectPeriod: 0 });
    clients.push(sub);
    const beats: GatewayStatus[] = [];
    sub.on('message', (topic, payload, packet) => {
      const parsed = parseTopic(topic);
      if (parsed?.kind !== 'status' || parsed.enterprise !== CHLOR_ALKALI || packet.retain) return;
      const body = JSON.parse(payload.toString('utf8')) as GatewayStatus;
      if (body.type === 'heartbeat' && body.ts >= base) beats.push(body);
    });
    await sub.subscribeAsync(`hw/v1/${CHLOR_ALKALI}/+/status`, { qos: 1 });

    const fleet = new MqttFleet(
      { url: mqttUrl, clientIdPrefix: uid('hwspool'), seed: 7, heartbeatEveryTicks: 1 },
      { site, logger, clock: () => now, timers: new ManualClock() },
    );
    fleets.push(fleet);
    await fleet.start();
    const points = site.gateways
      .find((g) => g.enterprise === CHLOR_ALKALI)!
      .points.filter((p) => p.enabled).length;
    expect(points).toBeGreaterThan(0);

    for (let i = 0; i < 3; i++) {
      now += 1000;
      await fleet.tick();
    }
    await waitFor(
      () => Promise.resolve(beats.length),
      (n) => n >= 3,
      'three heartbeats',
    );
    expect(beats.map((b) => b.spoolDepth)).toEqual([0, 0, 0]);

    // An outage of two ticks: two batches in the spool, replayed after the first live batch.
    fleet.holdTelemetry(CHLOR_ALKALI, 'GW01');
    for (let i = 0; i < 2; i++) {
      now += 1000;
      await fleet.tick();
    }
    expect(await fleet.releaseTelemetry(CHLOR_ALKALI, 'GW01', true, { liveFirst: true })).toBe(2);
    now += 1000;
    await fleet.tick();
    await waitFor(
      () => Promise.resolve(beats.length),
      (n) => n >= 4,
      'the heartbeat after the outage',
    );
    expect(beats[3]!.spoolDepth).toBe(2 * points);
    now += 1000;
    await fleet.tick();
    await waitFor(
      () => Promise.resolve(beats.length),
      (n) => n >= 5,
      'the heartbeat after the replay',
    );
    expect(beats[4]!.spoolDepth).toBe(0);
  });
});
