import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  plantBrowsePath,
  plantNodeId,
  startPlantOpcuaServer,
  type PlantOpcuaServer,
  type PlantOpcuaServerOptions,
  type PlantOpcuaTag,
} from '@hazardwatch/simulators/opcua';
import { OpcuaSource, type OpcuaSourceOptions, type OpcuaTagOptions } from '../src/index.js';
import type { SourceHarness } from './source-contract.js';

/** Raw = (engineering − 10) / 0.5: exact in binary, so the contract's 1e-6 tolerance holds. */
export const SCALE = { factor: 0.5, offset: 10 } as const;
export const SITE = 'HW';
export const UNIT = 'U1';
export const logger = pino({ level: 'silent' });

export interface OpcuaHarness extends SourceHarness {
  readonly endpointUrl: string;
  readonly pkiDir: string;
  /** The running (or stopped) plant server; undefined before the first startPeer. */
  server(): PlantOpcuaServer | undefined;
  /** Server tag of point tag `PT-n` is `Tn`. */
  serverTag(pointTag: string): string;
  createSource(overrides?: Partial<OpcuaSourceOptions>): OpcuaSource;
}

export interface OpcuaHarnessOptions {
  /** @default 5 */
  readonly tagCount?: number;
  /** Extra source tags that the server does not (yet) have. */
  readonly extraSourceTags?: readonly OpcuaTagOptions[];
  readonly server?: Partial<Omit<PlantOpcuaServerOptions, 'tags' | 'logger' | 'port' | 'pkiDir'>>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export const serverTagSpec = (name: string): PlantOpcuaTag => ({ site: SITE, unit: UNIT, tag: name });

/** Point tag PT-n ↔ server tag Tn; even tags addressed by NodeId, odd ones by browse path. */
export function sourceTag(n: number): OpcuaTagOptions {
  return n % 2 === 0
    ? { tag: `PT-${n}`, nodeId: plantNodeId(SITE, UNIT, `T${n}`), scale: SCALE }
    : { tag: `PT-${n}`, browsePath: plantBrowsePath(SITE, UNIT, `T${n}`), scale: SCALE };
}

export async function makeOpcuaHarness(options: OpcuaHarnessOptions = {}): Promise<OpcuaHarness> {
  const count = options.tagCount ?? 5;
  const port = await freePort();
  const endpointUrl = `opc.tcp://localhost:${port}`;
  const pkiDir = mkdtempSync(join(tmpdir(), 'hw-edge-opcua-'));
  const numbers = Array.from({ length: count }, (_, i) => i);
  const tags = numbers.map((n) => `PT-${n}`);
  let server: PlantOpcuaServer | undefined;
  const sources: OpcuaSource[] = [];
  const serverTag = (pointTag: string): string => pointTag.replace(/^PT-/, 'T');

  return {
    tags,
    endpointUrl,
    pkiDir,
    server: () => server,
    serverTag,
    async startPeer() {
      if (server !== undefined) return server.start();
      server = await startPlantOpcuaServer({
        ...options.server,
        logger,
        port,
        pkiDir: join(pkiDir, 'server'),
        tags: numbers.map((n) => serverTagSpec(`T${n}`)),
      });
    },
    async stopPeer() {
      await server?.stop();
    },
    setValue(tag, value) {
      server?.setValue(serverTag(tag), (value - SCALE.offset) / SCALE.factor);
      return Promise.resolve();
    },
    createSource(overrides = {}) {
      const source = new OpcuaSource({
        name: 'opcua-test',
        endpointUrl,
        pkiDir: join(pkiDir, 'client'),
        acceptUnknownServerCertificate: true,
        tags: [...numbers.map(sourceTag), ...(options.extraSourceTags ?? [])],
        samplingIntervalMs: 0,
        publishingIntervalMs: 100,
        maxKeepAliveCount: 5,
        reconnectInitialMs: 100,
        reconnectMaxMs: 500,
        retryUnavailableMs: 300,
        connectTimeoutMs: 8_000,
        sessionTimeoutMs: 10_000,
        logger,
        ...overrides,
      });
      sources.push(source);
      return source;
    },
    async close() {
      await Promise.all(sources.map((s) => s.stop()));
      await server?.stop();
      rmSync(pkiDir, { recursive: true, force: true });
    },
  };
}
