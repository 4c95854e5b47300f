import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { parseSourceKey, topicFilter, type AlarmCondition, type WarningColour } from '@hazardwatch/contracts';
import {
  loadScenarioFile,
  runScenario,
  siteToYaml,
  verifyExpectations,
  type LoadedScenario,
  type ObservedAlarm,
  type RunMode,
  type VerificationReport,
} from '@hazardwatch/simulators';
import { createScratchDatabase } from '@hazardwatch/store';
import type { RuntimeConfig } from './config.js';
import { startIngestService, type IngestService } from './ingest-service.js';

export interface VerifyScenarioOptions {
  /** Server where a throw-away database per scenario is created (its `postgres` database URL). */
  readonly adminDatabaseUrl: string;
  readonly mqttUrl: string;
  readonly mode: RunMode;
  readonly logger: Logger;
  /** Simulated time 0 (fast mode); consecutive runs need non-overlapping ranges (planFastEpochs). */
  readonly startEpochMs?: number;
  /** Runtime defaults for the system under test (policies, retention). */
  readonly base: RuntimeConfig;
}

export interface ScenarioVerification {
  readonly report: VerificationReport;
  readonly observed: readonly ObservedAlarm[];
  readonly readingsAccepted: number;
  readonly readingsRejected: number;
}

/**
 * Hardware-in-the-loop check of one scenario against a system started for it: a fresh database,
 * the scenario's site imported, the ingest service with its alarm engine; the scenario is played
 * over MQTT (the simulators speak only protocols), then the alarms the system raised are compared
 * with the scenario's expectations. Alarms are read from the alarm event log the system writes;
 * the REST API and socket events take over this role once the control-room backend exists.
 */
export async function verifyScenario(
  loaded: LoadedScenario,
  options: VerifyScenarioOptions,
): Promise<ScenarioVerification> {
  const log = options.logger.child({ component: 'sim-verify', scenario: loaded.scenario.name });
  const database = await createScratchDatabase(options.adminDatabaseUrl, 'hw_sim');
  const dir = await mkdtemp(join(tmpdir(), 'hw-sim-'));
  const siteFile = join(dir, 'site.yaml');
  await writeFile(siteFile, siteToYaml(loaded.siteDocument));
  const clientId = `hw-sim-verify-${randomBytes(3).toString('hex')}`;
  const enterprises = loaded.site.enterprises;
  let service: IngestService | undefined;
  try {
    service = await startIngestService(
      {
        ...options.base,
        database: { ...options.base.database, url: database.url },
        mqtt: { ...options.base.mqtt, url: options.mqttUrl },
        site: { file: siteFile },
        healthPort: 0,
        ingest: {
          ...options.base.ingest,
          mqtt: {
            clientId,
            subscriptions: enterprises.flatMap((e) => [
              topicFilter('telemetry', e),
              topicFilter('status', e),
            ]),
          },
        },
      },
      options.logger,
    );
    const timeline = await runScenario(loaded, {
      mqttUrl: options.mqttUrl,
      mode: options.mode,
      logger: options.logger,
      ...(options.startEpochMs !== undefined ? { startEpochMs: options.startEpochMs } : {}),
    });
    await settle(service);
    const observed = await observedAlarms(database.url, service);
    log.info({ observed: observed.length }, 'scenario played');
    return {
      report: verifyExpectations(loaded.scenario, timeline, observed),
      observed,
      readingsAccepted: service.app.counters.accepted,
      readingsRejected: service.app.counters.rejected,
    };
  } finally {
    await service
      ?.close()
      .catch((err: unknown) => log.warn({ err }, 'system under test did not stop cleanly'));
    await database.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
  return loadScenarioFile(file);
}

/** Waits until the ingest has taken in and stored everything the scenario published. */
async function settle(service: IngestService): Promise<void> {
  let last = -1;
  for (let quiet = 0; quiet < 10;) {
    await new Promise((r) => setTimeout(r, 100));
    const seen = service.app.counters.messages;
    quiet = seen === last && service.app.subscriber.unacknowledged === 0 ? quiet + 1 : 0;
    last = seen;
  }
  await service.app.pipeline.drain();
}

/** Every annunciation (a transition into UNACK from NORM or RTNUN) the system recorded. */
async function observedAlarms(databaseUrl: string, service: IngestService): Promise<ObservedAlarm[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A lost connection rejects the query below; its 'error' event must not crash `sim verify`.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{
      source_key: string;
      condition: AlarmCondition;
      colour: WarningColour;
      ts_ms: number;
      late: boolean;
    }>(
      `SELECT e.source_key, e.condition, a.colour, (extract(epoch FROM e.ts) * 1000)::float8 AS ts_ms, e.late
       FROM alarm_events e JOIN alarms a ON a.id = e.alarm_id
       WHERE e.to_state = 'UNACK' AND e.from_state IN ('NORM', 'RTNUN') ORDER BY e.ts, e.id`,
    );
    const observed: ObservedAlarm[] = [];
    for (const r of rows) {
      const source = parseSourceKey(r.source_key);
      if (source?.type === 'point') {
        const point = service.site?.pointById(source.pointId);
        if (point)
          observed.push({
            enterprise: point.enterprise,
            tag: point.tag,
            condition: r.condition,
            colour: r.colour,
            raisedAtMs: r.ts_ms,
            late: r.late,
          });
      } else if (source?.type === 'gateway') {
        observed.push({
          enterprise: source.enterprise,
          tag: source.gateway,
          condition: r.condition,
          colour: r.colour,
          raisedAtMs: r.ts_ms,
          late: r.late,
        });
      }
    }
    return observed;
  } finally {
    await client.end();
  }
}
