import { startLivePublisher, type LivePublisher, type LiveSource } from '@hazardwatch/api';
import type { LiveStatus } from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import type { SqlClient } from '@hazardwatch/store';
import type { Logger } from 'pino';
import type { LiveValueTap } from '@hazardwatch/ingest';
import type { IngestService, LeasedIngestService } from './ingest-service.js';

/**
 * The ingest service of this process as the live gateway's event source: typed as the API's
 * `LiveSource`, so an ingest event shape the gateway does not take is a compile error here.
 */
export function liveSourceFor(service: IngestService | LeasedIngestService, tap: LiveValueTap): LiveSource {
  // One alarm engine (`serve`, a single or pinned worker), or a leased worker's partitions.
  const onStored: LeasedIngestService['onStored'] =
    'alarms' in service
      ? (listener) => service.alarms.onStored(listener)
      : (listener) => service.onStored(listener);
  return {
    subscribe: (sink) => {
      const stops = [
        onStored((events) => sink.stored(events)),
        service.app.presence.onChange((g) =>
          sink.gateway({
            enterprise: g.enterprise,
            gateway: g.gateway,
            online: g.online,
            ts: g.lastSeenMs,
            spoolDepth: g.spoolDepth ?? null,
            since: g.sinceMs,
          }),
        ),
        tap.add(sink),
      ];
      return () => {
        for (const stop of stops) stop?.();
      };
    },
  };
}

/**
 * `hazardwatch ingest` with REDIS_URL (issue #23): the worker's live events to the sockets of the
 * `hazardwatch api` instances, through the gateways' Redis adapter. Which enterprises it owns is
 * asked at each event (a pinned worker's are fixed; a leased worker's change with its leases), and
 * so is whether it raises the platform's own alarms (issue #20): an unpinned single worker, or the
 * leased worker holding partition 0 — the others read the same events in the log and keep quiet.
 */
export function startIngestLivePush(
  worker: {
    readonly store: { readonly client: SqlClient };
    readonly site: SiteIndex | undefined;
    readonly ownedEnterprises: readonly string[] | null;
    /** A leased worker's partitions held now. */
    readonly partitions?: () => readonly number[];
  },
  source: LiveSource,
  redisUrl: string,
  logger: Logger,
): Promise<LivePublisher> {
  return startLivePublisher({
    site: { current: () => worker.site },
    source,
    client: worker.store.client,
    logger,
    redisUrl,
    ownsEnterprise: (enterprise) => worker.ownedEnterprises?.includes(enterprise) ?? true,
    ownsPlatform: () => raisesPlatformAlarms(worker),
  });
}

/**
 * Whether an ingest worker raises the platform's own alarms now (issue #20; operations.md §6.2),
 * and so publishes their live events: a single worker owning every enterprise (`serve`, an
 * unpinned `ingest`), or a leased worker while it holds partition 0; a pinned worker never.
 */
export function raisesPlatformAlarms(worker: {
  readonly ownedEnterprises: readonly string[] | null;
  readonly partitions?: () => readonly number[];
}): boolean {
  return worker.partitions !== undefined ? worker.partitions().includes(0) : worker.ownedEnterprises === null;
}

/** The ingest worker's live push on /metrics: 1 while its Redis connections carry it, 0 while lost. */
export function ingestLiveMetricsText(status: LiveStatus): string {
  return [
    "# HELP hw_ingest_live_redis_connected 1 while this worker's Redis connections carry its live events; 0 while lost",
    '# TYPE hw_ingest_live_redis_connected gauge',
    `hw_ingest_live_redis_connected ${status.live ? 1 : 0}`,
    '',
  ].join('\n');
}
