import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusTopic, topicFilter, type Reading } from '@hazardwatch/contracts';
import { providedServices } from '@hazardwatch/testkit';
import { isEdgeError } from '../src/errors.js';
import { MqttUplink, type HeartbeatStatus, type MqttUplinkOptions } from '../src/uplink/mqtt-uplink.js';
import { waitUntil } from './source-contract.js';
import {
  clearRetained,
  collect,
  startStallProxy,
  uid,
  type Collector,
  type StallProxy,
} from './uplink-support.js';

const readings = (n: number, from = 0): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ tag: `PI-${from + i}`, ts: Date.now(), value: i }));

describe('MqttUplink against the broker', () => {
  const { mqttUrl } = providedServices();
  let enterprise: string;
  let proxy: StallProxy;
  let sub: Collector;
  let uplink: MqttUplink | undefined;
  const status: HeartbeatStatus = {
    spoolDepth: 12,
    spoolBytes: 3456,
    spoolOldestTs: 1_700_000_000_000,
    sources: [{ name: 'opc', kind: 'opcua', state: 'connected', readings: 5, errors: 0, reconnects: 1 }],
  };
  const make = (extra: Partial<MqttUplinkOptions> = {}): MqttUplink => {
    uplink = new MqttUplink({
      url: proxy.url,
      clientId: uid('gw-'),
      enterprise,
      gateway: 'GW1',
      version: '9.9.9-test',
      keepaliveSec: 5,
      reconnectPeriodMs: 100,
      connectTimeoutMs: 2000,
      heartbeatIntervalMs: 60_000,
      statusProvider: () => status,
      ...extra,
    });
    return uplink;
  };

  beforeEach(async () => {
    enterprise = uid('E');
    proxy = await startStallProxy(mqttUrl);
    sub = await collect(mqttUrl, [topicFilter('telemetry', enterprise), topicFilter('status', enterprise)]);
  });
  afterEach(async () => {
    await uplink?.close();
    uplink = undefined;
    await sub.close();
    await proxy.close();
    await clearRetained(mqttUrl, statusTopic({ enterprise, gateway: 'GW1' }));
  });

  it('announces birth and a heartbeat (retained) on connect, with the provider status and version', async () => {
    const u = make();
    const states: string[] = [];
    u.onState((s) => states.push(s));
    u.start();
    await waitUntil(() => sub.statuses().some((s) => s.type === 'heartbeat'), 10_000, 'heartbeat');
    const [birth, heartbeat] = sub.statuses();
    expect(birth).toMatchObject({ type: 'birth', version: '9.9.9-test' });
    expect(heartbeat).toMatchObject({
      type: 'heartbeat',
      version: '9.9.9-test',
      spoolDepth: 12,
      spoolBytes: 3456,
      spoolOldestTs: 1_700_000_000_000,
      sources: status.sources,
    });
    expect(states).toEqual(['connected']);
    expect(u.connected).toBe(true);

    const late = await collect(mqttUrl, [topicFilter('status', enterprise)]);
    await waitUntil(() => late.statuses().length > 0, 5_000, 'retained status');
    expect(late.statuses()[0]).toMatchObject({ type: 'heartbeat', retain: true });
    await late.close();
  });

  it('repeats the heartbeat on its timer', async () => {
    make({ heartbeatIntervalMs: 100 }).start();
    await waitUntil(
      () => sub.statuses().filter((s) => s.type === 'heartbeat').length >= 3,
      10_000,
      '3 heartbeats',
    );
  });

  it('publishes a batch as { seq, readings } and resolves on PUBACK', async () => {
    const u = make();
    u.start();
    await waitUntil(() => u.connected, 10_000, 'connected');
    const batch = readings(3);
    await u.publishBatch(41, batch);
    await waitUntil(() => sub.telemetry().length === 1, 5_000, 'telemetry');
    expect(sub.telemetry()[0]).toEqual({ seq: 41, readings: batch });
  });

  it('fails fast while offline instead of queueing', async () => {
    const u = make();
    const before: unknown = await u.publishBatch(1, readings(1)).catch((e: unknown) => e);
    expect(isEdgeError(before, 'HW_EDGE_UPLINK_OFFLINE')).toBe(true);
    proxy.cut();
    u.start();
    const offline: unknown = await u.publishBatch(2, readings(1)).catch((e: unknown) => e);
    expect(isEdgeError(offline, 'HW_EDGE_UPLINK_OFFLINE')).toBe(true);
    proxy.restore();
    await waitUntil(() => u.connected, 10_000, 'connected');
    await u.publishBatch(3, readings(1));
    await waitUntil(() => sub.telemetry().length > 0, 5_000, 'telemetry');
    expect(sub.telemetry().map((t) => t.seq)).toEqual([3]);
  });

  it('lets the broker publish the death will when the link dies, and is born again on reconnect', async () => {
    const u = make();
    const states: string[] = [];
    u.onState((s) => states.push(s));
    u.start();
    await waitUntil(() => sub.statuses().some((s) => s.type === 'heartbeat'), 10_000, 'heartbeat');
    proxy.cut();
    await waitUntil(() => sub.statuses().some((s) => s.type === 'death'), 10_000, 'death will');
    expect(sub.statuses().find((s) => s.type === 'death')).toMatchObject({ version: '9.9.9-test' });
    proxy.restore();
    await waitUntil(
      () => sub.statuses().filter((s) => s.type === 'birth').length === 2,
      10_000,
      'second birth',
    );
    expect(states).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('rejects a publish whose PUBACK never arrives and does not re-send it after the reconnect', async () => {
    const u = make();
    u.start();
    await waitUntil(() => u.connected, 10_000, 'connected');
    proxy.stall();
    const stuck = u.publishBatch(7, readings(2));
    await waitUntil(() => sub.telemetry().some((t) => t.seq === 7), 5_000, 'broker got seq 7');
    proxy.cut();
    const err: unknown = await stuck.catch((e: unknown) => e);
    expect(isEdgeError(err, 'HW_EDGE_UPLINK_PUBLISH')).toBe(true);
    proxy.restore();
    await waitUntil(() => u.connected, 10_000, 'reconnected');
    // mqtt.js would re-send its stored packet before anything new on the connection.
    await u.publishBatch(8, readings(1));
    await waitUntil(() => sub.telemetry().some((t) => t.seq === 8), 5_000, 'seq 8');
    expect(sub.telemetry().map((t) => t.seq)).toEqual([7, 8]);
  });

  it('sends data loss not retained, and a retained death on a graceful close', async () => {
    const u = make();
    u.start();
    await waitUntil(() => u.connected, 10_000, 'connected');
    const dropped = { reason: 'max_bytes', entries: 2, readings: 40, oldestTs: 1, newestTs: 2 };
    await u.publishDataLoss(dropped);
    await waitUntil(() => sub.statuses().some((s) => s.type === 'data_loss'), 5_000, 'data_loss');
    expect(sub.statuses().find((s) => s.type === 'data_loss')).toMatchObject({ dropped, retain: false });

    await u.close();
    expect(u.connected).toBe(false);
    await waitUntil(() => sub.statuses().some((s) => s.type === 'death'), 5_000, 'death');
    const late = await collect(mqttUrl, [topicFilter('status', enterprise)]);
    await waitUntil(() => late.statuses().length > 0, 5_000, 'retained status');
    expect(late.statuses()[0]).toMatchObject({ type: 'death', retain: true });
    await late.close();
  });
});
