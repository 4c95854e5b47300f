import type { Reading } from '@hazardwatch/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpcuaSource } from '../src/index.js';
import { SCALE, makeOpcuaHarness, serverTagSpec, type OpcuaHarness } from './opcua-harness.js';
import { sourceContract, waitUntil } from './source-contract.js';
import { TcpProxy } from './tcp-proxy.js';

sourceContract('opcua', () => makeOpcuaHarness());

describe('OPC-UA source', () => {
  let harness: OpcuaHarness | undefined;
  let received: Reading[] = [];
  const sink = (readings: readonly Reading[]): void => {
    received.push(...readings);
  };
  const latest = (tag: string): Reading | undefined => received.findLast((r) => r.tag === tag);
  const raw = (engineering: number): number => (engineering - SCALE.offset) / SCALE.factor;

  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await harness?.close();
    await proxy?.close();
    proxy = undefined;
    harness = undefined;
    received = [];
  });

  async function started(h: OpcuaHarness, source: OpcuaSource): Promise<void> {
    await h.startPeer();
    await source.start(sink);
    await waitUntil(() => h.tags.every((t) => latest(t) !== undefined), 15_000, 'a reading for every tag');
  }

  it('resumes after a server restart with several hundred tags; the outage stays a gap', async () => {
    harness = await makeOpcuaHarness({ tagCount: 400 });
    const source = harness.createSource();
    await started(harness, source);
    expect(source.status().state).toBe('connected');
    const server = harness.server()!;

    await server.stop();
    const downAt = Date.now();
    await waitUntil(() => source.status().state === 'connecting', 10_000, 'state connecting');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const upAt = Date.now();
    await server.start();
    const ts = Date.now();
    for (const t of harness.tags) server.setValue(harness.serverTag(t), raw(55), 'good', ts);
    await waitUntil(
      () => harness!.tags.every((t) => latest(t)?.ts === ts && latest(t)?.value === 55),
      15_000,
      'every tag flowing again',
    );
    await waitUntil(() => source.status().state === 'connected', 5_000, 'state connected');
    const status = source.status();
    expect(status.reconnects).toBe(1);
    expect(status.errors).toBeGreaterThanOrEqual(1);
    expect(received.filter((r) => r.ts > downAt + 200 && r.ts < upAt)).toEqual([]);
  });

  it('keeps the good tags flowing while a node is unknown, and picks the node up when it appears', async () => {
    harness = await makeOpcuaHarness({
      tagCount: 4,
      extraSourceTags: [
        { tag: 'LATE-1', nodeId: 'ns=1;s=HW.U1.LATE1' },
        { tag: 'LATE-2', browsePath: '/Objects/1:HW/1:U1/1:LATE2' },
      ],
    });
    const source = harness.createSource();
    await started(harness, source);
    await waitUntil(() => source.status().state === 'degraded', 5_000, 'state degraded');
    expect(source.status().detail).toMatch(/2 of 6 tags unavailable: .*LATE-1 \(BadNodeIdUnknown\)/);
    expect(Object.keys(source.counters().unavailable).sort()).toEqual(['LATE-1', 'LATE-2']);

    await harness.setValue('PT-1', 31);
    await waitUntil(() => latest('PT-1')?.value === 31, 5_000, 'a good tag flowing while degraded');

    const server = harness.server()!;
    server.addTags([serverTagSpec('LATE1'), serverTagSpec('LATE2')]);
    server.setValue('LATE1', 7);
    server.setValue('LATE2', 8);
    await waitUntil(
      () => latest('LATE-1')?.value === 7 && latest('LATE-2')?.value === 8,
      10_000,
      'late nodes',
    );
    await waitUntil(() => source.status().state === 'connected', 5_000, 'state connected');

    // A node deleted under a live item: degraded, then back when the node returns.
    server.removeTags(['T2']);
    await waitUntil(() => source.status().state === 'degraded', 5_000, 'degraded after removal');
    server.addTags([serverTagSpec('T2')]);
    server.setValue('T2', raw(12));
    await waitUntil(() => latest('PT-2')?.value === 12, 10_000, 're-added node flowing');
    await waitUntil(() => source.status().state === 'connected', 5_000, 'connected again');
    expect(source.status().reconnects).toBe(0);
  });

  it('splits 2,500 tags over subscriptions of at most 1,000 items, batched within the server per-call limit', async () => {
    harness = await makeOpcuaHarness({
      tagCount: 2_500,
      server: { limits: { maxMonitoredItemsPerCall: 400 } },
    });
    // Asks for more per call than the server allows: the source lowers it to the server's limit.
    const source = harness.createSource({ maxItemsPerSubscription: 1_000, maxItemsPerCall: 1_000 });
    await started(harness, source);
    expect(source.counters()).toMatchObject({ subscriptions: 3, monitoredItems: 2_500, unavailable: {} });
    expect(source.status().state).toBe('connected');
  });

  it("honours the server's MaxMonitoredItemsPerSubscription below its own limit", async () => {
    harness = await makeOpcuaHarness({
      tagCount: 1_200,
      server: { limits: { maxMonitoredItemsPerSubscription: 500 } },
    });
    const source = harness.createSource();
    await started(harness, source);
    expect(source.counters()).toMatchObject({ subscriptions: 3, monitoredItems: 1_200 });
  });

  it('rebuilds when the link goes silent (half-open network) and resumes when it heals', async () => {
    harness = await makeOpcuaHarness({ tagCount: 3 });
    await harness.startPeer();
    proxy = await TcpProxy.start(harness.server()!.port);
    const source = harness.createSource({
      endpointUrl: `opc.tcp://localhost:${proxy.port}`,
      watchdogMs: 1_500,
      connectTimeoutMs: 2_000,
    });
    await started(harness, source);
    proxy.blackhole(true);
    await waitUntil(() => source.status().state === 'connecting', 10_000, 'watchdog firing');
    expect(source.status().detail).toMatch(/watchdog/);
    await harness.setValue('PT-0', 66);
    proxy.blackhole(false);
    await waitUntil(() => latest('PT-0')?.value === 66, 15_000, 'data after the link healed');
    await waitUntil(() => source.status().state === 'connected', 5_000, 'state connected');
    expect(source.status().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('maps OPC-UA status to quality and booleans to 0/1, with the source timestamp', async () => {
    harness = await makeOpcuaHarness({
      tagCount: 2,
      extraSourceTags: [{ tag: 'XS-1', nodeId: 'ns=1;s=HW.U1.XS1' }],
    });
    const source = harness.createSource();
    await harness.startPeer();
    harness.server()!.addTags([{ ...serverTagSpec('XS1'), dataType: 'Boolean' }]);
    await started(harness, source);
    const server = harness.server()!;
    const ts = Date.now() - 5_000;
    server.setValue('T0', raw(40), 'uncertain', ts);
    await waitUntil(() => latest('PT-0')?.value === 40, 5_000, 'uncertain value');
    expect(latest('PT-0')).toEqual({ tag: 'PT-0', ts, value: 40, quality: 'uncertain' });
    server.setValue('T0', raw(41), 'bad', ts + 1);
    await waitUntil(() => latest('PT-0')?.value === 41, 5_000, 'bad value');
    expect(latest('PT-0')?.quality).toBe('bad');
    server.setValue('XS1', 1);
    await waitUntil(() => latest('XS-1')?.value === 1, 5_000, 'switch on');
    server.setValue('XS1', 0);
    await waitUntil(() => latest('XS-1')?.value === 0, 5_000, 'switch off');
  });

  it('connects with SignAndEncrypt, Basic256Sha256 and user/password; refuses a wrong password', async () => {
    harness = await makeOpcuaHarness({
      tagCount: 3,
      server: { users: [{ userName: 'edge', password: 's3cret' }], allowAnonymous: false },
    });
    const secure = {
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      userName: 'edge',
    } as const;
    const source = harness.createSource({ ...secure, password: 's3cret' });
    await started(harness, source);
    expect(source.status().state).toBe('connected');
    await source.stop();

    const wrong = harness.createSource({ ...secure, password: 'nope' });
    const before = received.length;
    await wrong.start(sink);
    await waitUntil(() => wrong.status().errors >= 2, 15_000, 'failed attempts counted');
    expect(wrong.status().state).toBe('connecting');
    expect(received.length).toBe(before);
  });
});
