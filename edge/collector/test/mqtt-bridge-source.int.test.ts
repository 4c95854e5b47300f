import type { Reading } from '@hazardwatch/contracts';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  MqttBridgeSourceOptions,
  MqttBridgeSubscriptionOptions,
} from '../src/sources/mqtt-bridge-options.js';
import { MqttBridgeSource } from '../src/sources/mqtt-bridge-source.js';
import { sourceContract, waitUntil, type SourceHarness } from './source-contract.js';
import { MqttTestBroker } from './mqtt-test-broker.js';

const log = pino({ level: process.env['HW_TEST_LOG'] ?? 'silent' });

function bridgeOptions(
  url: string,
  subscriptions: readonly MqttBridgeSubscriptionOptions[],
): MqttBridgeSourceOptions {
  return {
    name: 'sensor-net',
    url,
    subscriptions,
    reconnectPeriodMs: 100,
    connectTimeoutMs: 2000,
    logger: log,
  };
}

/**
 * The contract's peer: a broker plus a "sensor" that publishes its current values every 50 ms
 * while connected (never queued while offline: a sensor's reading is of its moment).
 */
async function bridgeHarness(): Promise<SourceHarness> {
  const broker = await MqttTestBroker.create();
  // Engineering values of the tags; the sensor publishes raw values (inverse scaling).
  const values = new Map<string, number>([
    ['U201-PT', 1],
    ['U201-TT', 1],
    ['XS-203', 1],
  ]);
  const subscriptions: MqttBridgeSubscriptionOptions[] = [
    {
      topic: 'plant/+/telemetry',
      qos: 1,
      fields: [
        { path: 'pressure.kPa', tag: '{1}-PT', scale: { factor: 0.001, offset: 0 } }, // kPa → MPa
        { path: 'readings[0].v', tag: '{1}-TT', timestampPath: 'readings[0].t' },
      ],
    },
    { topic: 'plant/+/switch/#', fields: [{ path: 'on', tag: '{3}' }] },
  ];
  let sensor: MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const publish = (): void => {
    if (!sensor?.connected) return;
    const telemetry = {
      pressure: { kPa: values.get('U201-PT')! / 0.001 },
      readings: [{ v: values.get('U201-TT'), t: new Date().toISOString() }],
    };
    sensor.publish('plant/U201/telemetry', JSON.stringify(telemetry), { qos: 1 });
    sensor.publish('plant/U201/switch/XS-203', JSON.stringify({ on: values.get('XS-203') === 1 }));
  };
  return {
    tags: [...values.keys()],
    startPeer: async () => {
      await broker.start();
      if (!sensor) {
        sensor = await broker.connectPublisher();
        timer = setInterval(publish, 50);
      }
    },
    stopPeer: () => broker.stop(),
    setValue: (tag, value) => {
      values.set(tag, value);
      publish();
      return Promise.resolve();
    },
    createSource: () => new MqttBridgeSource(bridgeOptions(broker.url, subscriptions)),
    close: async () => {
      clearInterval(timer);
      await sensor?.endAsync(true);
      await broker.stop();
    },
  };
}

sourceContract('mqtt bridge', bridgeHarness);

describe('MqttBridgeSource against a local broker', () => {
  let broker: MqttTestBroker;
  let source: MqttBridgeSource | undefined;
  let sensor: MqttClient | undefined;
  let received: Reading[] = [];
  const sink = (readings: readonly Reading[]): void => {
    received.push(...readings);
  };

  async function startWith(subscriptions: readonly MqttBridgeSubscriptionOptions[], b?: MqttTestBroker) {
    broker = b ?? (await MqttTestBroker.create());
    await broker.start();
    sensor = await broker.connectPublisher();
    received = [];
    source = new MqttBridgeSource(bridgeOptions(broker.url, subscriptions));
    await source.start(sink);
    await waitUntil(() => source!.status().state !== 'connecting', 10_000, 'subscribed');
    return source;
  }
  const send = async (topic: string, payload: string, retain = false) => {
    await sensor!.publishAsync(topic, payload, { qos: 1, retain });
  };

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await sensor?.endAsync(true);
    sensor = undefined;
    await broker.stop();
  });

  it('maps fields of wildcard topics to tags rendered from topic levels', async () => {
    await startWith([
      { topic: 'site/+/sensors/#', fields: [{ path: 'data.p', tag: '{1}-{3}' }] },
      { topic: 'site/+/status', fields: [{ path: "['flow.rate']", tag: '{1}-FT' }] },
    ]);
    await send('site/A1/sensors/PT-9', '{"data":{"p":1.25}}');
    await send('site/B2/sensors/PT-3/raw', '{"data":{"p":2}}');
    await send('site/A1/status', '{"flow.rate":"7.5"}');
    await send('unrelated/topic', 'not json at all');
    await waitUntil(() => received.length >= 3, 10_000, 'three readings');
    expect(received.map((r) => [r.tag, r.value])).toEqual([
      ['A1-PT-9', 1.25],
      ['B2-PT-3', 2],
      ['A1-FT', 7.5],
    ]);
    expect(source!.status()).toMatchObject({ state: 'connected', messages: 3, errors: 0, readings: 3 });
  });

  it('counts bad payloads without stopping: malformed JSON, missing field, non-numeric', async () => {
    await startWith([{ topic: 'plant/+/state', fields: [{ path: 'v', tag: '{1}' }] }]);
    await send('plant/T1/state', '{"v": ');
    await send('plant/T2/state', '{"w": 1}');
    await send('plant/T3/state', '{"v": "open"}');
    await send('plant/T4/state', '{"v": {"nested": 1}}');
    await send('plant/T5/state', '{"v": true}');
    await send('plant/T6/state', '{"v": "42.5"}');
    await waitUntil(() => received.length >= 2, 10_000, 'the good readings');
    expect(received.map((r) => [r.tag, r.value])).toEqual([
      ['T5', 1],
      ['T6', 42.5],
    ]);
    const status = source!.status();
    expect(status.state).toBe('connected');
    expect(status.errors).toBe(4);
    expect(status.rejected).toEqual({ malformed_json: 1, missing_field: 1, not_numeric: 2 });
  });

  it('takes timestamp and quality from the payload when configured', async () => {
    await startWith([
      { topic: 'lab/+', fields: [{ path: 'v', tag: '{1}', timestampPath: 'ts', qualityPath: 'q' }] },
    ]);
    await send('lab/A', '{"v": 1, "ts": "2024-05-01T08:00:00Z", "q": "BAD"}');
    await send('lab/B', '{"v": 2, "ts": 1714550401000, "q": 0}');
    await send('lab/C', '{"v": 3, "ts": "teatime"}');
    await send('lab/D', '{"v": 4, "ts": 1714550402000, "q": "weird"}');
    await waitUntil(() => received.length >= 3, 10_000, 'three readings');
    expect(received).toEqual([
      { tag: 'A', ts: 1714550400000, value: 1, quality: 'bad' },
      { tag: 'B', ts: 1714550401000, value: 2 },
      { tag: 'D', ts: 1714550402000, value: 4, quality: 'uncertain' },
    ]);
    expect(source!.status().rejected).toEqual({ bad_timestamp: 1 });
  });

  it('does not stamp a retained message of unknown age with the arrival time', async () => {
    broker = await MqttTestBroker.create();
    await broker.start();
    sensor = await broker.connectPublisher();
    await send('old/A', '{"v": 1, "ts": 1714550400000}', true);
    received = [];
    source = new MqttBridgeSource(
      bridgeOptions(broker.url, [
        {
          topic: 'old/+',
          fields: [
            { path: 'v', tag: 'WITH-TS', timestampPath: 'ts' },
            { path: 'v', tag: 'NO-TS' },
          ],
        },
      ]),
    );
    await source.start(sink);
    await waitUntil(() => received.length >= 1, 10_000, 'the retained reading');
    expect(received).toEqual([{ tag: 'WITH-TS', ts: 1714550400000, value: 1 }]);
    expect(source.status().retainedSkipped).toBe(1);
    // A live message (retain flag cleared on forwarding) maps both fields.
    await send('old/A', '{"v": 2, "ts": 1714550401000}');
    await waitUntil(() => received.some((r) => r.tag === 'NO-TS'), 10_000, 'the live reading');
  });

  it('reports a refused subscription as degraded, naming the topic, while the others flow', async () => {
    const guarded = await MqttTestBroker.create({
      authorizeSubscribe: (_client, sub, callback) =>
        callback(null, sub.topic.startsWith('secret/') ? null : sub),
    });
    const s = await startWith(
      [
        { topic: 'secret/#', fields: [{ path: 'v', tag: 'S' }] },
        { topic: 'open/+', fields: [{ path: 'v', tag: '{1}' }] },
      ],
      guarded,
    );
    expect(s.status().state).toBe('degraded');
    expect(s.status().detail).toContain('secret/#');
    await send('open/O1', '{"v": 5}');
    await waitUntil(() => received.length >= 1, 10_000, 'a reading on the open topic');
    expect(received[0]).toMatchObject({ tag: 'O1', value: 5 });
  });

  it('rejects start with a configuration it cannot run', async () => {
    broker = await MqttTestBroker.create();
    const bad = new MqttBridgeSource(
      bridgeOptions('mqtt://127.0.0.1:1', [{ topic: 'a/#/b', fields: [{ path: 'v', tag: 'T' }] }]),
    );
    await expect(bad.start(sink)).rejects.toMatchObject({ code: 'HW_EDGE_SOURCE_CONFIG' });
  });
});
