/**
 * Issue #16 item 7, presence part: gateway codes the site does not know (made up, mistyped, or
 * removed from the site) must not grow the ingest's memory or the `gateway_status` table. Real
 * broker and PostgreSQL; the alarm engine is a recorder (what the relay tells it is the point).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { statusTopic, topicFilter } from '@hazardwatch/contracts';
import { providedServices } from '@hazardwatch/testkit';
import {
  buildIngestApp,
  ingestMetricsText,
  pointDirectoryFrom,
  type GatewayEvaluator,
  type IngestApp,
  type PointDirectory,
} from '@hazardwatch/ingest';
import {
  DataLossRepository,
  GatewayStatusRepository,
  PgReadingWriter,
  sqlClientFromPg,
} from '@hazardwatch/store';
import {
  discardSession,
  ingestConfig,
  ingestFixture,
  logger,
  publisher,
  publishReadings,
  uid,
  waitFor,
  type IngestFixture,
} from './support.js';

const MADE_UP = 500;

describe('unknown gateways: counted, never kept (real broker and PostgreSQL)', () => {
  const { postgresAdminUrl, mqttUrl } = providedServices();
  let fx: IngestFixture;
  let pub: MqttClient;
  let app: IngestApp | undefined;
  let clientId: string;
  let repo: GatewayStatusRepository;
  let dataLoss: DataLossRepository;
  let directory: PointDirectory;
  /** An enterprise the site does not have, subscribed to like a fleet-wide ingest would be. */
  let strangerEnterprise: string;
  /** `enterprise/gateway` of every gateway the engine heard about. */
  let told: Set<string>;

  const evaluator: GatewayEvaluator = {
    gatewayOnline: (e, g) => (told.add(`${e}/${g}`), true),
    gatewayOffline: (e, g) => (told.add(`${e}/${g}`), true),
    gatewaySources: (e, g) => (told.add(`${e}/${g}`), true),
    gatewayDataLoss: (e, g) => (told.add(`${e}/${g}`), true),
  };

  const start = async (): Promise<IngestApp> => {
    clientId = uid('ingest-');
    const config = ingestConfig(mqttUrl, fx.enterprise, clientId, {
      mqtt: {
        url: mqttUrl,
        clientId,
        subscriptions: [
          topicFilter('telemetry', fx.enterprise),
          topicFilter('status', fx.enterprise),
          topicFilter('telemetry', strangerEnterprise),
          topicFilter('status', strangerEnterprise),
        ],
      },
    });
    app = buildIngestApp(config, {
      logger,
      writer: new PgReadingWriter(fx.pool, { logger, now: Date.now }),
      directory: () => directory,
      gatewayStatus: repo,
      gateways: evaluator,
      dataLoss,
    });
    await app.start();
    return app;
  };

  beforeEach(async () => {
    fx = await ingestFixture(postgresAdminUrl, ['TI-101']);
    directory = fx.directory;
    strangerEnterprise = uid('X');
    told = new Set();
    pub = await publisher(mqttUrl);
    repo = new GatewayStatusRepository(sqlClientFromPg(fx.pool));
    dataLoss = new DataLossRepository(sqlClientFromPg(fx.pool));
  });

  afterEach(async () => {
    await app?.close().catch(() => undefined);
    app = undefined;
    await pub.endAsync();
    await discardSession(mqttUrl, clientId);
    await fx.close();
  });

  // Not retained, so nothing is left on the broker for later runs.
  const publishStatus = (enterprise: string, gateway: string, body: object) =>
    pub.publishAsync(statusTopic({ enterprise, gateway }), JSON.stringify({ ts: Date.now(), ...body }), {
      qos: 1,
    });
  const statusRows = async (): Promise<string[]> =>
    (
      await fx.pool.query<{ k: string }>(
        "SELECT enterprise || '/' || gateway AS k FROM gateway_status ORDER BY 1",
      )
    ).rows.map((r) => r.k);
  const dataLossRows = async (): Promise<string[]> =>
    (
      await fx.pool.query<{ k: string }>(
        "SELECT enterprise || '/' || gateway AS k FROM data_loss_events ORDER BY 1",
      )
    ).rows.map((r) => r.k);
  const presence = (): string[] =>
    app!.presence
      .all()
      .map((s) => `${s.enterprise}/${s.gateway}`)
      .sort();
  const dropped = { reason: 'max_bytes', entries: 1, readings: 10 };
  const bodies: object[] = [
    { type: 'birth', spoolDepth: 0 },
    { type: 'heartbeat', spoolDepth: 7, sources: [{ name: 'plc', state: 'connected' }] },
    { type: 'data_loss', dropped },
    { type: 'death' },
  ];

  it(`status and telemetry of ${MADE_UP} made-up gateways: no presence, no rows, the engine not told, counted`, async () => {
    await start();
    const known = `${fx.enterprise}/${fx.gateway}`;
    for (let i = 0; i < MADE_UP; i++) {
      // Four in five in the site's own enterprise, the rest in an enterprise the site lacks.
      const [enterprise, gateway] =
        i % 5 === 4 ? [strangerEnterprise, `GW${i}`] : [fx.enterprise, `FAKE${i}`];
      await publishStatus(enterprise, gateway, bodies[i % bodies.length]!);
      await publishReadings(pub, enterprise, gateway, [{ tag: 'TI-101', ts: Date.now(), value: i }]);
    }
    // The known gateway last: once its report is stored, every message before it was handled.
    await publishStatus(fx.enterprise, fx.gateway, { type: 'data_loss', dropped });
    await waitFor(async () => (await dataLossRows()).includes(known), 20_000, 'known data loss stored');
    await waitFor(async () => (await statusRows()).includes(known), 10_000, 'known presence stored');
    await waitFor(() => app!.counters.snapshot().messages === MADE_UP, 10_000, 'telemetry counted');

    expect(presence()).toEqual([known]);
    expect(await statusRows()).toEqual([known]);
    expect(await dataLossRows()).toEqual([known]);
    expect([...told]).toEqual([known]);
    const counts = app!.counters.snapshot();
    expect(counts.unknownGatewayStatus).toBe(MADE_UP);
    // Telemetry of unknown gateways keeps its existing counter (73bfdf1): refused whole, once each.
    expect(counts.rejectedByReason.unknown_gateway).toBe(MADE_UP);
    expect(counts.dataLossStored).toBe(1);
    const text = await ingestMetricsText(app!.counters, {
      bufferedRows: 0,
      unacknowledgedMessages: 0,
      storageHealthy: true,
      brokerConnected: true,
    });
    expect(text).toContain(`hw_ingest_unknown_gateway_status_total ${MADE_UP}\n`);
    expect(text).toContain('hw_ingest_data_loss_reports_total{outcome="stored"} 1\n');
  });

  it('follows the site in force: rows of gateways it lacks go at start, an added gateway is kept, a removed one forgotten', async () => {
    // Left by an ingest from before this rule (or a gateway removed while it was down).
    await repo.upsert(
      [
        {
          enterprise: fx.enterprise,
          gateway: 'FAKE-OLD',
          online: true,
          lastSeenMs: Date.now(),
          spoolDepth: 1,
        },
        { enterprise: fx.enterprise, gateway: 'GW2', online: true, lastSeenMs: Date.now(), spoolDepth: null },
      ],
      Date.now(),
    );
    await start();
    await waitFor(
      async () => !(await statusRows()).includes(`${fx.enterprise}/FAKE-OLD`),
      10_000,
      'old row gone',
    );
    expect(await statusRows()).toEqual([`${fx.enterprise}/GW2`]);

    await publishStatus(fx.enterprise, 'GW2', { type: 'heartbeat', spoolDepth: 3 });
    await publishStatus(fx.enterprise, 'GW3', { type: 'heartbeat', spoolDepth: 4 });
    await waitFor(() => app!.counters.snapshot().unknownGatewayStatus === 1, 10_000, 'GW3 counted');
    expect(presence()).toEqual([`${fx.enterprise}/GW2`]);

    // A site edit (through the API, at run time): GW3 added, GW2 removed.
    directory = pointDirectoryFrom(
      [
        { enterprise: fx.enterprise, code: fx.gateway },
        { enterprise: fx.enterprise, code: 'GW3' },
      ],
      [
        {
          enterprise: fx.enterprise,
          tag: 'TI-101',
          id: fx.pointIds.get('TI-101')!,
          gateway: fx.gateway,
          enabled: true,
        },
      ],
    );
    await publishStatus(fx.enterprise, 'GW3', { type: 'heartbeat', spoolDepth: 5 });
    await publishStatus(fx.enterprise, 'GW2', { type: 'heartbeat', spoolDepth: 6 });
    await waitFor(() => app!.counters.snapshot().unknownGatewayStatus === 2, 10_000, 'GW2 counted');
    await waitFor(
      async () => (await statusRows()).join() === `${fx.enterprise}/GW3`,
      10_000,
      'GW2 row removed, GW3 stored',
    );
    expect(presence()).toEqual([`${fx.enterprise}/GW3`]);
    expect((await repo.byEnterprises([fx.enterprise]))[0]).toMatchObject({ gateway: 'GW3', spoolDepth: 5 });
  });
});
