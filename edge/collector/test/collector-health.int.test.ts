import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { statusTopic, type Reading } from '@hazardwatch/contracts';
import { providedServices, startTcpProxy, type TcpProxy } from '@hazardwatch/testkit';
import {
  parseEdgeConfig,
  startCollector,
  type Collector,
  type Source,
  type SourceStatus,
} from '../src/index.js';
import { waitUntil } from './source-contract.js';
import { clearRetained, hostPort, uid } from './uplink-support.js';

/** A plant source we own: one reading every 50 ms while started. */
class TickingSource implements Source {
  readonly name = 'ticker';
  readonly kind = 'modbus' as const;
  private timer: NodeJS.Timeout | undefined;
  private readings = 0;
  start(sink: (readings: readonly Reading[]) => void): Promise<void> {
    this.timer = setInterval(() => {
      this.readings++;
      sink([{ tag: 'PT-1', ts: Date.now(), value: this.readings }]);
    }, 50);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
  status(): SourceStatus {
    return {
      name: this.name,
      kind: this.kind,
      state: 'connected',
      readings: this.readings,
      errors: 0,
      reconnects: 0,
    };
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Healthz {
  status: string;
  uplink: { connected: boolean; unackedForMs: number };
}

describe('collector health', () => {
  const { mqttUrl } = providedServices();
  let collector: Collector | undefined;
  let proxy: TcpProxy | undefined;
  let enterprise = '';
  let dir = '';

  afterEach(async () => {
    await collector?.close();
    await proxy?.close();
    await clearRetained(mqttUrl, statusTopic({ enterprise, gateway: 'GW1' }));
    rmSync(dir, { recursive: true, force: true });
    collector = undefined;
    proxy = undefined;
  });

  it('reports the uplink not connected while publishes go unacknowledged on a black-holed link', async () => {
    // The broker's answers (CONNACK aside, once connected: PUBACK, PINGRESP) vanish: TCP stays up.
    let blackhole = false;
    const { host, port } = hostPort(mqttUrl);
    proxy = await startTcpProxy(host, port, () => (chunk) => (blackhole ? Buffer.alloc(0) : chunk));
    enterprise = uid('E');
    dir = mkdtempSync(join(tmpdir(), 'hw-edge-health-'));
    const healthPort = await freePort();
    const config = parseEdgeConfig({
      gateway: { enterprise, code: 'GW1' },
      // Keepalive far beyond the test: only the unacknowledged publishes can tell.
      uplink: { url: `mqtt://127.0.0.1:${proxy.port}`, keepaliveSec: 120, ackTimeoutSec: 2 },
      spool: { dir: join(dir, 'spool'), fsync: 'none' },
      healthPort,
      sources: [
        {
          kind: 'modbus',
          name: 'ticker',
          host: '127.0.0.1',
          tags: [{ tag: 'PT-1', table: 'holding', address: 0 }],
        },
      ],
    });
    expect(config.uplink.keepaliveSec).toBe(120);
    collector = await startCollector(config, { sources: [new TickingSource()] });
    const healthz = async (): Promise<Healthz> =>
      (await (await fetch(`http://127.0.0.1:${healthPort}/healthz`)).json()) as Healthz;
    let last: Healthz | undefined;
    const poll = async (check: (h: Healthz) => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        last = await healthz();
        if (check(last)) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await waitUntil(() => collector!.forwarder.stats().acknowledged > 10, 10_000, 'readings acknowledged');
    await poll((h) => h.status === 'ok' && h.uplink.connected, 'healthy');

    blackhole = true;
    await poll((h) => !h.uplink.connected, 'uplink reported down');
    expect(last).toMatchObject({ status: 'degraded', uplink: { connected: false } });
    expect(last!.uplink.unackedForMs).toBeGreaterThan(2_000);
    // The transport itself has not noticed (keepalive 120 s): the MQTT client still thinks it is up.
    expect(collector.uplink.connected).toBe(true);
  });
});
