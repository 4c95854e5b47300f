import { readFileSync } from 'node:fs';
import type { Reading } from '@hazardwatch/contracts';
import { pino, type Logger } from 'pino';
import type { EdgeConfig, EdgeSourceConfig } from './edge-config.js';
import { ExceptionFilter, type ExceptionRule } from './exception-filter.js';
import { QuietTagRepeater } from './quiet-tag-repeater.js';
import { startHealthServer, type EdgeHealthServer } from './health-server.js';
import { reportsByChange, type ChangeReportingSource, type Source } from './source.js';
import { ModbusSource } from './sources/modbus-source.js';
import { MqttBridgeSource } from './sources/mqtt-bridge-source.js';
import { OpcuaSource } from './sources/opcua-source.js';
import { routeOpcuaLogs } from './sources/opcua-log.js';
import { openFileSpool, type FileSpool } from './spool/file-spool.js';
import { IDENTITY_SCALE, scaleFromRanges, type LinearScale } from './tag-mapping.js';
import { Forwarder } from './uplink/forwarder.js';
import { MqttUplink } from './uplink/mqtt-uplink.js';

export const COLLECTOR_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** A steady value is still sent this often (and repeated for OPC-UA, which reports only changes). */
const DEFAULT_HEARTBEAT_SEC = 10;

export interface CollectorDeps {
  /** @default pino silent */
  readonly logger?: Logger;
  /** Sources to run instead of the configured ones (benchmarks, tests with a source of their own). */
  readonly sources?: readonly Source[];
}

export interface Collector {
  readonly spool: FileSpool;
  readonly uplink: MqttUplink;
  readonly forwarder: Forwarder;
  readonly sources: readonly Source[];
  readonly health: EdgeHealthServer | undefined;
  /** Stops the sources, drains what the uplink can take within a few seconds, then closes. */
  close(): Promise<void>;
}

/**
 * The edge collector: sources → report by exception → forwarder (write-ahead disk spool, live
 * first, backlog replayed beside it) → MQTT uplink with birth, last will and heartbeats carrying
 * the spool depth and every source's state. Built from a validated config (edge-config.ts).
 */
export async function startCollector(config: EdgeConfig, deps: CollectorDeps = {}): Promise<Collector> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const log = logger.child({ component: 'edge-collector' });
  routeOpcuaLogs(logger);
  const { enterprise, code: gateway } = config.gateway;
  const spool = await openFileSpool({
    dir: config.spool.dir,
    maxBytes: config.spool.maxMb * 1024 * 1024,
    maxAgeMs: config.spool.maxAgeHours * 3_600_000,
    fsync: config.spool.fsync,
    logger,
  });
  const sources = deps.sources ?? config.sources.map((s) => buildSource(s, logger));
  const uplink = new MqttUplink({
    url: config.uplink.url,
    clientId: config.uplink.clientId ?? `hw-edge-${enterprise}-${gateway}`,
    ...(config.uplink.username !== undefined ? { username: config.uplink.username } : {}),
    ...(config.uplink.password !== undefined ? { password: config.uplink.password } : {}),
    enterprise,
    gateway,
    version: COLLECTOR_VERSION,
    heartbeatIntervalMs: config.uplink.heartbeatSec * 1000,
    keepaliveSec: config.uplink.keepaliveSec,
    logger,
    statusProvider: () => {
      const depth = spool.depth();
      return {
        spoolDepth: depth.readings,
        spoolBytes: depth.bytes,
        ...(depth.oldestTs !== undefined ? { spoolOldestTs: depth.oldestTs } : {}),
        sources: sources.map((s) => {
          const st = s.status();
          return {
            name: st.name,
            kind: st.kind,
            state: st.state,
            readings: st.readings,
            errors: st.errors,
            reconnects: st.reconnects,
            ...(st.detail !== undefined ? { detail: st.detail.slice(0, 512) } : {}),
          };
        }),
      };
    },
  });
  const forwarder = new Forwarder(spool, uplink, {
    replayReadingsPerSec: config.uplink.replayReadingsPerSec,
    logger,
  });
  const rules = exceptionRules(config.sources);
  const filter = new ExceptionFilter(rules, {
    deadband: 0,
    heartbeatMs: DEFAULT_HEARTBEAT_SEC * 1000,
  });
  const repeater = new QuietTagRepeater((tag) => rules.get(tag)?.heartbeatMs ?? DEFAULT_HEARTBEAT_SEC * 1000);
  // Link each change-reporting source's values came from; a new link forgets the old one's values.
  const links = new Map<string, number>();
  const followLink = (source: ChangeReportingSource): void => {
    if (links.get(source.name) === source.link) return;
    links.set(source.name, source.link);
    repeater.forget(source.name);
    filter.forget(source.pointTags);
  };
  const sinkFor =
    (source: Source) =>
    (readings: readonly Reading[]): void => {
      // Only sources that report by change (OPC-UA subscriptions) get their quiet tags repeated.
      const byChange = reportsByChange(source) ? source : undefined;
      if (byChange) followLink(byChange);
      const kept = filter.filter(readings);
      if (kept.length === 0) return;
      forwarder.submit(kept);
      if (byChange) repeater.record(source.name, kept);
    };
  const byChange = new Map(sources.filter(reportsByChange).map((s) => [s.name, s]));
  const repeatTimer = setInterval(() => {
    for (const s of byChange.values()) followLink(s);
    const due = repeater.due((name, tag) => byChange.get(name)?.unchangedThrough(tag));
    if (due.length > 0) forwarder.submit(due);
  }, 1000);

  uplink.start();
  const started: Source[] = [];
  try {
    for (const source of sources) {
      await source.start(sinkFor(source));
      started.push(source);
    }
  } catch (error) {
    clearInterval(repeatTimer);
    for (const s of started) await s.stop();
    await forwarder.close();
    await uplink.close();
    await spool.close();
    throw error;
  }
  const health =
    config.healthPort === 0
      ? undefined
      : await startHealthServer(
          { host: config.healthHost, port: config.healthPort },
          {
            uplink,
            ackTimeoutMs: config.uplink.ackTimeoutSec * 1000,
            spool,
            forwarder,
            sources,
            filter,
            gateway: { enterprise, gateway },
          },
        );
  log.info(
    { enterprise, gateway, sources: sources.length, spool: config.spool.dir, healthPort: health?.port },
    'edge collector started',
  );
  return {
    spool,
    uplink,
    forwarder,
    sources,
    health,
    close: async () => {
      // Sources first (nothing new arrives), then the forwarder drains, then the uplink says
      // goodbye (retained death), then the spool is closed with its ack log synced.
      clearInterval(repeatTimer);
      for (const s of sources)
        await s.stop().catch((err: unknown) => log.warn({ err }, 'source stop failed'));
      await health?.close();
      await forwarder.close();
      await uplink.close();
      await spool.close();
      log.info('edge collector stopped');
    },
  };
}

type ScaleConfig =
  | { readonly factor: number; readonly offset?: number }
  | { readonly rawMin: number; readonly rawMax: number; readonly engMin: number; readonly engMax: number };

function scaleOf(scale: ScaleConfig | undefined): LinearScale {
  if (scale === undefined) return IDENTITY_SCALE;
  if ('factor' in scale) return { factor: scale.factor, offset: scale.offset ?? 0 };
  return scaleFromRanges(scale.rawMin, scale.rawMax, scale.engMin, scale.engMax);
}

function buildSource(config: EdgeSourceConfig, logger: Logger): Source {
  const log = logger.child({ source: config.name });
  switch (config.kind) {
    case 'opcua':
      return new OpcuaSource({
        name: config.name,
        endpointUrl: config.endpointUrl,
        ...pick(config, [
          'securityMode',
          'securityPolicy',
          'pkiDir',
          'acceptUnknownServerCertificate',
          'userName',
          'password',
          'samplingIntervalMs',
          'publishingIntervalMs',
          'maxItemsPerSubscription',
        ]),
        tags: config.tags.map((t) =>
          'nodeId' in t
            ? { nodeId: t.nodeId, tag: t.tag, scale: scaleOf(t.scale) }
            : { browsePath: t.browsePath, tag: t.tag, scale: scaleOf(t.scale) },
        ),
        logger: log,
      });
    case 'modbus':
      return new ModbusSource({
        name: config.name,
        host: config.host,
        ...pick(config, ['port', 'unitId', 'pollIntervalMs', 'timeoutMs', 'retries']),
        tags: config.tags.map((t) =>
          t.table === 'coil' || t.table === 'discrete'
            ? { tag: t.tag, table: t.table, address: t.address, scale: scaleOf(t.scale) }
            : {
                tag: t.tag,
                table: t.table,
                address: t.address,
                ...('type' in t && t.type !== undefined ? { type: t.type as never } : {}),
                ...('wordOrder' in t && t.wordOrder !== undefined ? { wordOrder: t.wordOrder as never } : {}),
                scale: scaleOf(t.scale),
              },
        ),
        logger: log,
      });
    case 'mqtt':
      return new MqttBridgeSource({
        name: config.name,
        url: config.url,
        ...pick(config, ['clientId', 'username', 'password']),
        subscriptions: config.subscriptions.map((s) => ({
          topic: s.topic,
          ...(s.qos !== undefined ? { qos: s.qos } : {}),
          fields: s.fields.map((f) => ({
            path: f.path,
            tag: f.tag,
            scale: scaleOf(f.scale),
            ...(f.timestampPath !== undefined ? { timestampPath: f.timestampPath } : {}),
            ...(f.qualityPath !== undefined ? { qualityPath: f.qualityPath } : {}),
          })),
        })),
        logger: log,
      });
  }
}

/** Per-tag deadband and heartbeat: the tag's own, else its source's, else forward everything. */
function exceptionRules(sources: EdgeConfig['sources']): Map<string, ExceptionRule> {
  const rules = new Map<string, ExceptionRule>();
  const rule = (
    own: { deadband?: number; heartbeatSec?: number },
    source: { deadband?: number; heartbeatSec?: number },
  ): ExceptionRule => ({
    deadband: own.deadband ?? source.deadband ?? 0,
    heartbeatMs: (own.heartbeatSec ?? source.heartbeatSec ?? DEFAULT_HEARTBEAT_SEC) * 1000,
  });
  for (const source of sources) {
    const tags = source.kind === 'mqtt' ? source.subscriptions.flatMap((s) => s.fields) : source.tags;
    for (const t of tags) rules.set(t.tag, rule(t, source));
  }
  return rules;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
