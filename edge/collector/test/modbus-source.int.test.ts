import type { Reading } from '@hazardwatch/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type {
  ModbusRegisterTagOptions,
  ModbusSourceOptions,
  ModbusTagOptions,
} from '../src/sources/modbus-options.js';
import { ModbusSource } from '../src/sources/modbus-source.js';
import { encodeRegisters, type ModbusDataType, type WordOrder } from '../src/sources/word-order.js';
import { sourceContract, waitUntil, type SourceHarness } from './source-contract.js';
import { ModbusTestServer } from './modbus-test-server.js';

const log = pino({ level: process.env['HW_TEST_LOG'] ?? 'silent' });

/** Writes an engineering value into the server the way the tag is configured (inverse scaling). */
function setTagValue(server: ModbusTestServer, tag: ModbusTagOptions, value: number): void {
  const scale = tag.scale ?? { factor: 1, offset: 0 };
  const raw = (value - scale.offset) / scale.factor;
  if (tag.table === 'holding' || tag.table === 'input') {
    const type = tag.type ?? 'uint16';
    const words = encodeRegisters(type === 'float32' ? raw : Math.round(raw), type, tag.wordOrder ?? 'ABCD');
    server.setRegisters(tag.table, tag.address, words);
  } else {
    server.bits[tag.table].set(tag.address, raw !== 0);
  }
}

const contractTags: readonly ModbusTagOptions[] = [
  // 0.25 bar per count: every value the contract sets is exact.
  { tag: 'PT-101', table: 'holding', address: 0, type: 'uint16', scale: { factor: 0.25, offset: 0 } },
  {
    tag: 'FT-102',
    table: 'holding',
    address: 2,
    type: 'int32',
    wordOrder: 'CDAB',
    scale: { factor: 0.1, offset: 0 },
  },
  { tag: 'TT-103', table: 'input', address: 10, type: 'float32', wordOrder: 'ABCD' },
  { tag: 'XV-104', table: 'coil', address: 5 },
  { tag: 'LS-105', table: 'discrete', address: 7 },
];

function sourceOptions(port: number, tags: readonly ModbusTagOptions[]): ModbusSourceOptions {
  return {
    name: 'plc-1',
    host: '127.0.0.1',
    port,
    unitId: 1,
    pollIntervalMs: 50,
    timeoutMs: 300,
    retries: 1,
    reconnectInitialMs: 50,
    reconnectMaxMs: 300,
    tags,
    logger: log,
  };
}

async function modbusHarness(): Promise<SourceHarness> {
  const server = await ModbusTestServer.create();
  for (const tag of contractTags) setTagValue(server, tag, 1);
  return {
    tags: contractTags.map((t) => t.tag),
    startPeer: () => server.start(),
    stopPeer: () => server.stop(),
    setValue: (tag, value) => {
      const config = contractTags.find((t) => t.tag === tag);
      if (!config) throw new Error(`unknown tag ${tag}`);
      setTagValue(server, config, value);
      return Promise.resolve();
    },
    createSource: () => new ModbusSource(sourceOptions(server.port, contractTags)),
    close: () => server.stop(),
  };
}

sourceContract('modbus', modbusHarness);

describe('ModbusSource against a Modbus TCP server', () => {
  let server: ModbusTestServer;
  let source: ModbusSource | undefined;
  let received: Reading[] = [];
  const sink = (readings: readonly Reading[]): void => {
    received.push(...readings);
  };
  const latest = (tag: string): number | undefined => received.filter((r) => r.tag === tag).at(-1)?.value;

  async function startWith(tags: readonly ModbusTagOptions[], overrides: Partial<ModbusSourceOptions> = {}) {
    server = await ModbusTestServer.create();
    await server.start();
    received = [];
    source = new ModbusSource({ ...sourceOptions(server.port, tags), ...overrides });
    await source.start(sink);
    return source;
  }

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await server.stop();
  });

  it('decodes every data type and word order end to end, scaled', async () => {
    const types: ModbusDataType[] = ['int16', 'uint16', 'int32', 'uint32', 'float32'];
    const orders: WordOrder[] = ['ABCD', 'CDAB', 'BADC', 'DCBA'];
    const tags: ModbusRegisterTagOptions[] = [];
    let address = 100;
    for (const type of types) {
      for (const wordOrder of orders) {
        tags.push({
          tag: `${type}-${wordOrder}`,
          table: 'holding',
          address,
          type,
          wordOrder,
          scale: { factor: 0.5, offset: -10 },
        });
        address += 2;
      }
    }
    const expected = new Map<string, number>();
    const s = await startWith(tags);
    tags.forEach((tag, i) => {
      const signed = tag.type === 'int16' || tag.type === 'int32' || tag.type === 'float32';
      // Raw values span both bytes of a register and, for signed types, need the sign.
      const value = signed ? -1234.5 - i : 1234.5 + i;
      setTagValue(server, tag, value);
      expected.set(tag.tag, value);
    });
    await waitUntil(
      () => [...expected].every(([tag, v]) => latest(tag) === v),
      10_000,
      'every decoded value',
    );
    // 20 tags, 40 registers with no gaps: one request.
    expect(s.status().requestsPerPoll).toBe(1);
  });

  it('reports an illegal address as degraded, naming the tag, while the other tags keep flowing', async () => {
    const tags: ModbusTagOptions[] = [
      { tag: 'GOOD-1', table: 'holding', address: 0 },
      { tag: 'BAD-2', table: 'holding', address: 3 },
      { tag: 'GOOD-3', table: 'holding', address: 5 },
    ];
    server = await ModbusTestServer.create();
    server.illegal.add('holding:3');
    server.setRegisters('holding', 0, [11]);
    server.setRegisters('holding', 5, [33]);
    await server.start();
    received = [];
    source = new ModbusSource(sourceOptions(server.port, tags));
    await source.start(sink);
    await waitUntil(() => source!.status().state === 'degraded', 10_000, 'state degraded');
    await waitUntil(() => latest('GOOD-1') === 11 && latest('GOOD-3') === 33, 10_000, 'good tags');
    const status = source.status();
    expect(status.detail).toContain('BAD-2');
    expect(status.detail).toContain('illegal data address');
    expect(status.detail).not.toContain('GOOD');
    // The coalesced request was split so that one bad register does not hide its neighbours.
    expect(status.requestsPerPoll).toBe(3);
    expect(received.some((r) => r.tag === 'BAD-2')).toBe(false);
    // Fixing the device brings the tag back and the state to connected.
    server.illegal.clear();
    await waitUntil(() => source!.status().state === 'connected', 10_000, 'state connected');
    expect(latest('BAD-2')).toBe(0);
  });

  it('times out on a slow server, retries, counts it, reconnects and recovers', async () => {
    const tags: ModbusTagOptions[] = [{ tag: 'PT-1', table: 'holding', address: 0 }];
    server = await ModbusTestServer.create();
    server.setRegisters('holding', 0, [5]);
    server.delayMs = 400; // above the 150 ms timeout
    await server.start();
    received = [];
    source = new ModbusSource({ ...sourceOptions(server.port, tags), timeoutMs: 150, retries: 2 });
    await source.start(sink);
    await waitUntil(() => source!.status().retries >= 4, 10_000, 'two rounds of retries');
    const status = source.status();
    expect(status.errors).toBeGreaterThanOrEqual(2);
    expect(status.state).toBe('connecting');
    expect(status.detail).toMatch(/no answer .* within 150 ms/);
    expect(received).toEqual([]);
    server.delayMs = 0;
    await waitUntil(() => latest('PT-1') === 5, 10_000, 'readings after the server sped up');
    await waitUntil(() => source!.status().state === 'connected', 5_000, 'state connected');
    expect(source.status().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('never overlaps polls when a poll outlasts the interval, and counts the skipped ones', async () => {
    const tags: ModbusTagOptions[] = [
      { tag: 'A', table: 'holding', address: 0 },
      { tag: 'B', table: 'input', address: 0 },
    ];
    server = await ModbusTestServer.create();
    server.delayMs = 80; // two requests per poll: 160 ms per poll against a 50 ms interval
    await server.start();
    received = [];
    source = new ModbusSource({ ...sourceOptions(server.port, tags), timeoutMs: 1000 });
    await source.start(sink);
    await waitUntil(() => source!.status().polls >= 5, 10_000, 'five polls');
    expect(server.maxInFlight).toBe(1);
    expect(source.status().skippedPolls).toBeGreaterThan(0);
    expect(source.status().state).toBe('connected');
    // One timestamp per cycle: both tags of a cycle carry the same completion time.
    const a = received.filter((r) => r.tag === 'A').map((r) => r.ts);
    const b = received.filter((r) => r.tag === 'B').map((r) => r.ts);
    expect(a.slice(0, 4)).toEqual(b.slice(0, 4));
  });

  it('stamps readings with the injected clock at poll completion', async () => {
    let now = 1_700_000_000_000;
    const s = await startWith([{ tag: 'A', table: 'holding', address: 0 }], { clock: { now: () => now } });
    await waitUntil(() => received.length > 0, 10_000, 'a reading');
    expect(received[0]!.ts).toBe(1_700_000_000_000);
    now += 5_000;
    const before = received.length;
    await waitUntil(() => received.length > before + 1, 10_000, 'more readings');
    expect(received.at(-1)!.ts).toBe(1_700_000_005_000);
    expect(s.status().lastReadingAt).toBe(1_700_000_005_000);
  });

  it('rejects start with a configuration it cannot run', async () => {
    server = await ModbusTestServer.create();
    const bad = new ModbusSource(
      sourceOptions(server.port, [{ tag: 'A', table: 'holding', address: 70_000 }]),
    );
    await expect(bad.start(sink)).rejects.toMatchObject({ code: 'HW_EDGE_SOURCE_CONFIG' });
  });
});
