import type { LiveSource } from '@hazardwatch/api';
import type { LiveValueTap } from '@hazardwatch/ingest';
import type { IngestService } from './ingest-service.js';

/**
 * The ingest service of this process as the live gateway's event source: typed as the API's
 * `LiveSource`, so an ingest event shape the gateway does not take is a compile error here.
 */
export function liveSourceFor(service: IngestService, tap: LiveValueTap): LiveSource {
  return {
    subscribe: (sink) => {
      const stops = [
        service.alarms.onStored((events) => sink.stored(events)),
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
