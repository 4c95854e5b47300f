import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { statusTopic, topicFilter, type Reading } from '@hazardwatch/contracts';
import { providedServices } from '@hazardwatch/testkit';
import { parseEdgeConfig, startCollector, type Collector } from '../src/index.js';
import { SCALE, makeOpcuaHarness, sourceTag, type OpcuaHarness } from './opcua-harness.js';
import { waitUntil } from './source-contract.js';
import { clearRetained, collect, uid, type Collector as Subscriber } from './uplink-support.js';

const TAGS = 6;
const raw = (engineering: number): number => (engineering - SCALE.offset) / SCALE.factor;

/**
 * The collector against a real OPC-UA server (the plant simulator, node-opcua) and the broker:
 * what reaches the uplink is judged, repeats of quiet tags included.
 */
describe('collector with an OPC-UA source', () => {
  const { mqttUrl } = providedServices();
  let harness: OpcuaHarness | undefined;
  let collector: Collector | undefined;
  let sub: Subscriber | undefined;
  let enterprise = '';
  const dirs: string[] = [];

  afterEach(async () => {
    await collector?.close();
    await harness?.close();
    await sub?.close();
    if (enterprise !== '') await clearRetained(mqttUrl, statusTopic({ enterprise, gateway: 'GW1' }));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    collector = undefined;
    harness = undefined;
    sub = undefined;
  });

  const sent = (): Reading[] => sub!.telemetry().flatMap((p) => p.readings);

  async function start(
    h: OpcuaHarness,
    /** Tags the harness's source reads beyond its own (given to it as `extraSourceTags`). */
    extraTags: ReadonlyArray<{ tag: string; nodeId: string }> = [],
    logLines: string[] = [],
  ): Promise<Collector> {
    enterprise = uid('E');
    sub = await collect(mqttUrl, [topicFilter('telemetry', enterprise)]);
    const dir = mkdtempSync(join(tmpdir(), 'hw-edge-coll-'));
    dirs.push(dir);
    const tags = [
      ...Array.from({ length: TAGS }, (_, n) => {
        const t = sourceTag(n);
        return t.nodeId !== undefined
          ? { tag: t.tag, nodeId: t.nodeId, scale: SCALE }
          : { tag: t.tag, browsePath: t.browsePath, scale: SCALE };
      }),
      ...extraTags,
    ];
    const config = parseEdgeConfig({
      gateway: { enterprise, code: 'GW1' },
      uplink: { url: mqttUrl, heartbeatSec: 60 },
      spool: { dir: join(dir, 'spool'), fsync: 'none' },
      healthPort: 0,
      // Heartbeat 1 s: quiet tags are repeated every second, so a wrong repeat shows at once.
      sources: [{ kind: 'opcua', name: 'opcua-test', endpointUrl: h.endpointUrl, heartbeatSec: 1, tags }],
    });
    // The harness's source (fast reconnect); the default 1-s publishing interval leaves the
    // collector connected for up to a second before the new subscription's first values arrive.
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    );
    // Keep-alive every 2 s (a quiet tag is repeated at most once per publish response). Unknown
    // nodes are retried every 3 s: each CreateMonitoredItems resets the server's keep-alive count.
    const source = h.createSource({
      publishingIntervalMs: 1000,
      maxKeepAliveCount: 2,
      samplingIntervalMs: 100,
      retryUnavailableMs: 3_000,
      logger,
    });
    return startCollector(config, { sources: [source], logger });
  }

  it('after a server restart sends the server’s new values, never a pre-outage value stamped later', async () => {
    harness = await makeOpcuaHarness({ tagCount: TAGS });
    await harness.startPeer();
    const server = harness.server()!;
    const before = Date.now();
    for (const t of harness.tags) server.setValue(harness.serverTag(t), raw(40), 'good', before);
    collector = await start(harness);
    // Quiet tags are repeated while the subscription is alive.
    await waitUntil(
      () => harness!.tags.every((t) => sent().filter((r) => r.tag === t && r.value === 40).length >= 3),
      20_000,
      'repeats of every quiet tag',
    );
    const lastRepeat = Math.max(...sent().map((r) => r.ts));

    await server.stop();
    const downAt = Date.now();
    await waitUntil(() => collector!.sources[0]!.status().state === 'connecting', 10_000, 'link lost');
    // Down for longer than the heartbeat: every tag's repeat is due when the link returns.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const changedAt = Date.now();
    for (const t of harness.tags) server.setValue(harness.serverTag(t), raw(55), 'good', changedAt);
    await server.start();
    await waitUntil(
      () => harness!.tags.every((t) => sent().some((r) => r.tag === t && r.value === 55)),
      20_000,
      'the new values',
    );
    // A few more heartbeats after the reconnect.
    await waitUntil(
      () => harness!.tags.every((t) => sent().filter((r) => r.tag === t && r.value === 55).length >= 3),
      20_000,
      'repeats of the new values',
    );

    const readings = sent();
    // Nothing the server said before the outage is sent as if it were later.
    expect(readings.filter((r) => r.value === 40 && r.ts > lastRepeat + 1_000)).toEqual([]);
    expect(readings.filter((r) => r.value === 40 && r.ts >= downAt)).toEqual([]);
    for (const tag of harness.tags) {
      const own = readings.filter((r) => r.tag === tag);
      const after = own.filter((r) => r.ts > lastRepeat);
      // The first value after the outage is the server's new value, with the server's timestamp…
      expect(after[0], tag).toEqual({ tag, ts: changedAt, value: 55 });
      // …and each later one is newer than it (the ingest keeps a point's newest reading).
      for (let i = 1; i < after.length; i++) expect(after[i]!.ts, tag).toBeGreaterThan(after[i - 1]!.ts);
    }
  });

  it('keeps repeating the healthy tags while a node id is unknown, and logs that node once', async () => {
    const gone = { tag: 'GONE-1', nodeId: 'ns=1;s=HW.U1.NOPE' };
    harness = await makeOpcuaHarness({ tagCount: TAGS, extraSourceTags: [gone] });
    await harness.startPeer();
    const logLines: string[] = [];
    collector = await start(harness, [gone], logLines);
    await waitUntil(() => collector!.sources[0]!.status().state === 'degraded', 10_000, 'degraded');
    await waitUntil(
      () => harness!.tags.every((t) => sent().some((r) => r.tag === t)),
      10_000,
      'first values',
    );
    const from = sent().length;
    // Quiet healthy tags are still repeated, several times, while the source is degraded.
    await waitUntil(
      () =>
        harness!.tags.every(
          (t) =>
            sent()
              .slice(from)
              .filter((r) => r.tag === t).length >= 2,
        ),
      20_000,
      'repeats of the healthy tags while degraded',
    );
    expect(collector.sources[0]!.status().state).toBe('degraded');
    expect(sent().filter((r) => r.tag === 'GONE-1')).toEqual([]);
    // The missing node is in the log once (the source retries it every 3 s), as JSON with its id.
    const logged = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['tag'] === 'GONE-1');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 40,
      tag: 'GONE-1',
      nodeId: 'ns=1;s=HW.U1.NOPE',
      reason: 'BadNodeIdUnknown',
    });
  });
});
