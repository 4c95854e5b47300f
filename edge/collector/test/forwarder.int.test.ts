import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusTopic, topicFilter, type Reading } from '@hazardwatch/contracts';
import { providedServices, startTcpProxy, type TcpProxy } from '@hazardwatch/testkit';
import { openFileSpool, type FileSpool, type FileSpoolOptions } from '../src/spool/file-spool.js';
import { Forwarder, type ForwarderOptions } from '../src/uplink/forwarder.js';
import { MqttUplink } from '../src/uplink/mqtt-uplink.js';
import { waitUntil } from './source-contract.js';
import { clearRetained, collect, hostPort, startStallProxy, uid, type Collector } from './uplink-support.js';

interface Cuttable {
  readonly url: string;
  cut(): void;
  restore(): void;
  stall?(): void;
  close(): Promise<void>;
}

async function tcpProxy(mqttUrl: string): Promise<Cuttable> {
  const { host, port } = hostPort(mqttUrl);
  const proxy: TcpProxy = await startTcpProxy(host, port);
  return {
    url: `mqtt://127.0.0.1:${proxy.port}`,
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
    close: () => proxy.close(),
  };
}

/** `n` readings whose tags name their batch, so a subscriber can count distinct readings. */
const batch = (name: string, n: number): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ tag: `${name}-${i}`, ts: Date.now(), value: i }));

describe('Forwarder: spool + uplink against the broker', () => {
  const { mqttUrl } = providedServices();
  let enterprise: string;
  let dir: string;
  let proxy: Cuttable;
  let sub: Collector;
  let spool: FileSpool;
  let uplink: MqttUplink;
  let forwarder: Forwarder;

  const start = async (
    link: Cuttable,
    spoolOptions: Partial<FileSpoolOptions> = {},
    options: ForwarderOptions = {},
  ): Promise<void> => {
    proxy = link;
    spool = await openFileSpool({ dir, ageCheckIntervalMs: 0, ...spoolOptions });
    uplink = new MqttUplink({
      url: proxy.url,
      clientId: uid('gw-'),
      enterprise,
      gateway: 'GW1',
      version: 'test',
      keepaliveSec: 5,
      reconnectPeriodMs: 100,
      connectTimeoutMs: 2000,
      statusProvider: () => {
        const d = spool.depth();
        return { spoolDepth: d.readings, spoolBytes: d.bytes, spoolOldestTs: d.oldestTs, sources: [] };
      },
    });
    forwarder = new Forwarder(spool, uplink, options);
    uplink.start();
    await waitUntil(() => uplink.connected, 10_000, 'uplink connected');
  };
  const received = (): Set<string> => new Set(sub.telemetry().flatMap((t) => t.readings.map((r) => r.tag)));
  const firstArrival = (tag: string): number => sub.telemetry().findIndex((t) => t.readings[0]!.tag === tag);
  const lastArrival = (prefix: string): number =>
    sub.telemetry().findLastIndex((t) => t.readings[0]!.tag.startsWith(prefix));

  beforeEach(async () => {
    enterprise = uid('E');
    dir = mkdtempSync(join(tmpdir(), 'hw-fwd-'));
    sub = await collect(mqttUrl, [topicFilter('telemetry', enterprise), topicFilter('status', enterprise)]);
  });
  afterEach(async () => {
    await forwarder.close();
    await uplink.close();
    await spool.close();
    await sub.close();
    await proxy.close();
    await clearRetained(mqttUrl, statusTopic({ enterprise, gateway: 'GW1' }));
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every batch across an outage, live data ahead of the backlog, and empties the spool', async () => {
    await start(await tcpProxy(mqttUrl), {}, { replayReadingsPerSec: 2000, maxReplayInflight: 4 });
    for (let i = 0; i < 5; i++) forwarder.submit(batch(`before${i}`, 50));
    await waitUntil(() => received().size === 250 && spool.depth().entries === 0, 10_000, 'live batches');

    proxy.cut();
    await waitUntil(() => !uplink.connected, 10_000, 'uplink down');
    for (let i = 0; i < 40; i++) forwarder.submit(batch(`backlog${i}`, 50));
    await waitUntil(() => spool.depth().entries === 40, 10_000, 'backlog spooled');
    expect(spool.depth().readings).toBe(2000);

    proxy.restore();
    await waitUntil(() => firstArrival('backlog0-0') >= 0, 10_000, 'replay started');
    forwarder.submit(batch('live', 50));
    await waitUntil(() => received().size === 250 + 2000 + 50, 20_000, 'everything delivered');
    await waitUntil(() => spool.depth().entries === 0, 10_000, 'spool empty');

    // Live data submitted after the reconnect overtakes the rate-limited backlog.
    expect(firstArrival('live-0')).toBeLessThan(lastArrival('backlog'));
    // The backlog itself replays oldest first.
    const order = sub
      .telemetry()
      .map((t) => t.readings[0]!.tag)
      .filter((tag) => tag.startsWith('backlog'))
      .map((tag) => Number(/^backlog(\d+)/.exec(tag)![1]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const stats = forwarder.stats();
    expect(stats).toMatchObject({
      submitted: 2300,
      dropped: 0,
      rejected: 0,
      liveInflight: 0,
      replayInflight: 0,
    });
    expect(stats.replayed).toBeGreaterThanOrEqual(2000);
    expect(stats.acknowledged).toBeGreaterThanOrEqual(2300);
  });

  it('reports what an overflowing spool dropped as data loss once the link is back', async () => {
    await start(await tcpProxy(mqttUrl), { maxBytes: 20_000 });
    proxy.cut();
    await waitUntil(() => !uplink.connected, 10_000, 'uplink down');
    for (let i = 0; i < 60; i++) forwarder.submit(batch(`b${i}`, 20));
    await waitUntil(
      () =>
        forwarder.stats().submitted === 1200 && spool.depth().readings + forwarder.stats().dropped === 1200,
      10_000,
      'spooled',
    );
    const dropped = forwarder.stats().dropped;
    expect(dropped).toBeGreaterThan(0);
    expect(sub.statuses().filter((s) => s.type === 'data_loss')).toEqual([]);

    proxy.restore();
    await waitUntil(() => sub.statuses().some((s) => s.type === 'data_loss'), 10_000, 'data_loss');
    const losses = sub.statuses().filter((s) => s.type === 'data_loss');
    expect(losses).toHaveLength(1);
    expect(losses[0]).toMatchObject({ retain: false, dropped: { reason: 'max_bytes', readings: dropped } });
    await waitUntil(
      () => received().size === 1200 - dropped && spool.depth().entries === 0,
      10_000,
      'rest delivered',
    );
    // The oldest went: what arrived is the newest tail.
    expect(received().has('b59-19')).toBe(true);
    expect(received().has('b0-0')).toBe(false);
  });

  it('puts a batch whose PUBACK never came back into the backlog and delivers it after the reconnect', async () => {
    const stall = await startStallProxy(mqttUrl);
    await start(stall);
    stall.stall();
    forwarder.submit(batch('stuck', 10));
    await waitUntil(() => forwarder.stats().liveInflight === 1, 5_000, 'publish in flight');
    await waitUntil(() => received().has('stuck-9'), 5_000, 'broker got it');
    expect(spool.depth().entries).toBe(1);

    stall.cut();
    await waitUntil(() => forwarder.stats().failed === 10, 10_000, 'publish failed');
    expect(forwarder.stats().liveInflight).toBe(0);
    expect(spool.depth().entries).toBe(1);
    stall.restore();
    await waitUntil(() => spool.depth().entries === 0, 10_000, 'replayed and acknowledged');
    expect(forwarder.stats()).toMatchObject({ published: 10, replayed: 10, acknowledged: 10, failed: 10 });
    // At-least-once: the broker saw it twice, with the same seq.
    const seqs = sub.telemetry().map((t) => t.seq);
    expect(seqs).toHaveLength(2);
    expect(seqs[0]).toBe(seqs[1]);
  });
});
