import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import {
  parseTopic,
  type GatewayStatus,
  type TelemetryPayload,
  type TopicKind,
} from '@hazardwatch/contracts';
import { ManualClock } from '@hazardwatch/kit';
import { providedServices, startTcpProxy, type TcpProxy } from '@hazardwatch/testkit';
import {
  MqttFleet,
  NormalOperation,
  SIMULATOR_VERSION,
  isSimulatorError,
  loadSimulatedSite,
  type FleetOptionsInput,
  type FleetTimers,
  type SimulatedSite,
} from '@hazardwatch/simulators';
import { CHLOR_ALKALI, EXAMPLE_SITE_YAML, FINE_CHEM } from './example-site.js';

const logger = pino({ level: 'silent' });
const uid = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

/** The example site with one point disabled, which must never be published. */
function exampleSite(): SimulatedSite {
  const doc = parse(EXAMPLE_SITE_YAML) as { points: Array<{ tag: string; enabled?: boolean }> };
  doc.points.find((p) => p.tag === 'AT-2102')!.enabled = false;
  return loadSimulatedSite(stringify(doc));
}

interface Received {
  readonly enterprise: string;
  readonly gateway: string;
  readonly kind: TopicKind;
  readonly retain: boolean;
  readonly body: unknown;
}

/** A plain MQTT client on `hw/v1/{enterprise}/+/#`, recording what arrives. */
async function listen(
  url: string,
  enterprises: readonly string[],
): Promise<{ client: MqttClient; received: Received[] }> {
  const client = await mqtt.connectAsync(url, {
    clientId: uid('hw-sim-test-sub-'),
    clean: true,
    reconnectPeriod: 0,
  });
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    const parsed = parseTopic(topic);
    if (parsed === undefined) return;
    received.push({ ...parsed, retain: packet.retain, body: JSON.parse(payload.toString('utf8')) });
  });
  await client.subscribeAsync(
    enterprises.map((e) => `hw/v1/${e}/+/#`),
    { qos: 1 },
  );
  return { client, received };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('MqttFleet against a real broker', () => {
  const { mqttUrl } = providedServices();
  const fleets: MqttFleet[] = [];
  const clients: MqttClient[] = [];
  const proxies: TcpProxy[] = [];
  // A simulated clock of our own, an hour back with a random offset: messages another run of the
  // example site might publish on the same topics never match these timestamps.
  let now = Date.now() - 3_600_000 - Math.floor(Math.random() * 1_000_000);
  const base = now;

  afterEach(async () => {
    for (const fleet of fleets.splice(0)) await fleet.stop();
    for (const client of clients.splice(0)) await client.endAsync(true);
    for (const proxy of proxies.splice(0)) await proxy.close();
  });

  function fleet(
    site: SimulatedSite,
    timers: FleetTimers,
    options: Partial<FleetOptionsInput> = {},
  ): MqttFleet {
    const f = new MqttFleet(
      { url: mqttUrl, clientIdPrefix: uid('hwsimtest'), seed: 42, ...options },
      { site, logger, clock: () => now, timers },
    );
    fleets.push(f);
    return f;
  }

  async function subscriber(url = mqttUrl): Promise<Received[]> {
    const { client, received } = await listen(url, [CHLOR_ALKALI, FINE_CHEM]);
    clients.push(client);
    return received;
  }

  /** Live (not retained) status messages of ours, by gateway. */
  const statuses = (received: Received[], type: GatewayStatus['type']) =>
    received.filter(
      (m) =>
        m.kind === 'status' &&
        !m.retain &&
        (m.body as GatewayStatus).type === type &&
        (m.body as GatewayStatus).ts >= base,
    );

  it('sends birth, one batch of every enabled point per gateway per tick, heartbeats, and death on stop', async () => {
    const site = exampleSite();
    const received = await subscriber();
    // The fleet's interval timer, fired by advancing this clock (its own, apart from `now`).
    const timers = new ManualClock();
    const sim = fleet(site, timers, { heartbeatEveryTicks: 2 });
    const startedAt = now;

    await sim.start();
    expect(timers.pendingTimers).toBe(1);
    expect(sim.gateways.map((g) => [g.clientId.replace(/^hwsimtest[0-9a-f]+-/, ''), g.connected])).toEqual([
      [`${CHLOR_ALKALI}-GW01`, true],
      [`${FINE_CHEM}-GW01`, true],
    ]);
    await waitFor(() => statuses(received, 'birth').length === 2, 'two births');
    for (const m of statuses(received, 'birth')) {
      expect(m.body).toEqual({ type: 'birth', ts: startedAt, version: SIMULATOR_VERSION });
    }

    const tickTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      now += 1000;
      tickTimes.push(now);
      if (i < 2) await sim.tick();
      // The third through the fleet's own interval, due every tickIntervalMs (1000): one tick.
      else timers.advance(1000);
    }
    const ours = () =>
      received.filter(
        (m) =>
          m.kind === 'telemetry' && tickTimes.includes((m.body as TelemetryPayload).readings[0]?.ts ?? -1),
      );
    await waitFor(() => ours().length === 6, 'six telemetry batches');

    // Expected values: the same seed replayed over the same times, point by point.
    const replay = new NormalOperation(42);
    for (const gateway of site.gateways) {
      const enabled = gateway.points.filter((p) => p.enabled);
      const batches = ours()
        .filter((m) => m.enterprise === gateway.enterprise && m.gateway === gateway.code)
        .map((m) => m.body as TelemetryPayload);
      expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
      batches.forEach((batch, i) => {
        const ts = tickTimes[i]!;
        expect(batch.readings).toEqual(
          enabled.map((p) => ({ tag: p.tag, ts, value: replay.valueAt(p, ts) })),
        );
        for (const r of batch.readings) {
          const p = enabled.find((q) => q.tag === r.tag)!;
          expect(r.value).toBeGreaterThanOrEqual(p.range.min);
          expect(r.value).toBeLessThanOrEqual(p.range.max);
        }
      });
    }
    expect(JSON.stringify(ours())).not.toContain('AT-2102');

    const heartbeats = statuses(received, 'heartbeat');
    expect(heartbeats.map((m) => [m.enterprise, (m.body as GatewayStatus).ts])).toEqual(
      expect.arrayContaining([
        [CHLOR_ALKALI, tickTimes[1]],
        [FINE_CHEM, tickTimes[1]],
      ]),
    );
    expect(heartbeats).toHaveLength(2);
    expect(heartbeats[0]!.body).toMatchObject({
      type: 'heartbeat',
      version: SIMULATOR_VERSION,
      spoolDepth: expect.any(Number),
    });

    now += 500;
    await sim.stop();
    expect(timers.pendingTimers).toBe(0);
    await waitFor(() => statuses(received, 'death').length === 2, 'two deaths');
    for (const m of statuses(received, 'death')) expect(m.body).toEqual({ type: 'death', ts: now });
    expect(sim.counters).toEqual({
      ticks: 3,
      messages: 2 + 6 + 2 + 2,
      telemetryMessages: 6,
      readings: 3 * (7 + 5),
      publishErrors: 0,
      batchesDropped: 0,
      batchesSpooled: 0,
      batchesReplayed: 0,
      rawMessages: 0,
    });
    expect(sim.gateways.every((g) => !g.connected)).toBe(true);

    // Status is retained: a newcomer learns at once that both gateways are gone.
    const late = await subscriber();
    await waitFor(() => late.filter((m) => m.kind === 'status' && m.retain).length === 2, 'retained status');
    for (const m of late.filter((x) => x.kind === 'status'))
      expect(m.body).toEqual({ type: 'death', ts: now });

    // A stopped fleet ticks no more and stops only once.
    await sim.tick();
    await sim.stop();
    expect(sim.counters.ticks).toBe(3);
  });

  it('has the broker publish death (last will) when the connection drops, and sends birth again on reconnect', async () => {
    const target = new URL(mqttUrl);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 1883));
    proxies.push(proxy);
    const received = await subscriber();
    const sim = fleet(exampleSite(), new ManualClock(), {
      url: `mqtt://127.0.0.1:${proxy.port}`,
      reconnectPeriodMs: 100,
    });
    const connectedAt = now;
    await sim.start();
    await waitFor(() => statuses(received, 'birth').length === 2, 'two births');

    now += 60_000;
    proxy.cut();
    await waitFor(() => statuses(received, 'death').length === 2, 'two last-will deaths');
    // The will was written at connect time: MQTT brokers do not stamp it.
    for (const m of statuses(received, 'death')) expect(m.body).toEqual({ type: 'death', ts: connectedAt });

    proxy.restore();
    await waitFor(() => statuses(received, 'birth').length === 4, 'births after reconnect');
    expect(
      statuses(received, 'birth')
        .slice(2)
        .map((m) => (m.body as GatewayStatus).ts),
    ).toEqual([now, now]);

    now += 1000;
    await sim.tick();
    await waitFor(
      () =>
        received.some((m) => m.kind === 'telemetry' && (m.body as TelemetryPayload).readings[0]?.ts === now),
      'telemetry after reconnect',
    );
    expect(sim.counters.publishErrors).toBe(0);
  });

  it('fails to start with a retryable coded error when the broker cannot be reached, and can start later', async () => {
    const target = new URL(mqttUrl);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 1883));
    proxies.push(proxy);
    proxy.cut();
    const sim = fleet(exampleSite(), new ManualClock(), {
      url: `mqtt://127.0.0.1:${proxy.port}`,
      connectTimeoutMs: 2000,
    });
    const err: unknown = await sim.start().catch((e: unknown) => e);
    expect(isSimulatorError(err, 'HW_SIM_FLEET_CONNECT')).toBe(true);
    expect(isSimulatorError(err) && err.retryable).toBe(true);
    expect(sim.gateways.every((g) => !g.connected)).toBe(true);

    proxy.restore();
    await sim.start();
    expect(sim.gateways.every((g) => g.connected)).toBe(true);
    await expect(sim.start()).rejects.toMatchObject({ code: 'HW_SIM_FLEET_STATE' });
  });
});
