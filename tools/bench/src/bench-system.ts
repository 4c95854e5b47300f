import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Logger } from 'pino';
import { siteToYaml } from '@hazardwatch/simulators';
import type { RuntimeConfig } from 'hazardwatch';
import { createScratchDatabase } from '@hazardwatch/store';
import { BENCH_PREFIX } from './bench-database.js';

export interface BenchSystemOptions {
  /** Names the temporary directory and the ingest's MQTT client id (`hw-bench-<name>-…`). */
  readonly name: string;
  readonly adminDatabaseUrl: string;
  readonly mqttUrl: string;
  readonly base: RuntimeConfig;
  /** The generated site the service is started with. */
  readonly site: Record<string, unknown>;
  /** Ingest settings (`mqtt.clientId` is set here: one persistent session per run). */
  readonly ingest: { readonly mqtt?: Record<string, unknown> } & Record<string, unknown>;
  /** Also run the REST API and live push (a random signing secret for this run). */
  readonly api?: boolean;
  readonly logger: Logger;
}

/** What a benchmark starts the service under test with, and how it leaves nothing behind. */
export interface BenchSystem {
  readonly config: RuntimeConfig;
  /** The scratch database the service migrates and writes. */
  readonly databaseUrl: string;
  /** The ingest's MQTT client id. */
  readonly clientId: string;
  /**
   * After the service has closed: ends its persistent MQTT session (it would keep queueing on the
   * broker), drops the scratch database and removes the site file. Never throws.
   */
  release(): Promise<void>;
}

/**
 * The service under a benchmark: its site in a temporary file, a scratch database on the
 * benchmark's server, health on a free port, and the configuration pointing at all of them.
 */
export async function prepareBenchSystem(options: BenchSystemOptions): Promise<BenchSystem> {
  const dir = await mkdtemp(join(tmpdir(), `hw-${options.name}-`));
  const siteFile = join(dir, 'site.yaml');
  await writeFile(siteFile, siteToYaml(options.site));
  const db = await createScratchDatabase(options.adminDatabaseUrl, BENCH_PREFIX);
  const clientId = `hw-bench-${options.name}-${randomBytes(3).toString('hex')}`;
  const { base } = options;
  const config: RuntimeConfig = {
    ...base,
    database: { ...base.database, url: db.url },
    mqtt: { ...base.mqtt, url: options.mqttUrl },
    site: { file: siteFile },
    healthPort: 0,
    ...(options.api
      ? { api: { ...base.api, host: '127.0.0.1', jwtSecret: randomBytes(32).toString('hex') } }
      : {}),
    ingest: { ...options.ingest, mqtt: { ...options.ingest.mqtt, clientId } },
  };
  return {
    config,
    databaseUrl: db.url,
    clientId,
    release: async () => {
      const session = await mqtt
        .connectAsync(options.mqttUrl, { clientId, clean: true })
        .catch((err: unknown) => options.logger.warn({ err, clientId }, 'benchmark MQTT session not ended'));
      await session?.endAsync();
      await db
        .drop()
        .catch((err: unknown) =>
          options.logger.warn({ err, dbName: db.name }, 'benchmark database not dropped'),
        );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
