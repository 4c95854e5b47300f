export * from './app.js';
export * from './config.js';
export * from './durable-ack-subscriber.js';
export * from './gateway-fault-relay.js';
export * from './gateway-presence.js';
export * from './gateway-status-recorder.js';
export * from './ingest-counters.js';
export * from './ingest-pipeline.js';
export {
  completeBefore,
  DirtyMinutes,
  IngestRollups,
  MinuteAccumulator,
  nextRollupAt,
  type IngestRollupsOptions,
  type MinuteRun,
} from './minute-rollups.js';
export * from './point-directory.js';
export * from './telemetry-decoder.js';
export * from './ingest-metrics.js';
export { LiveValueTap, type LiveValueSink, type LiveValueTapOptions } from './live-value-tap.js';
export * from './notify/index.js';
export * from './alarm-engine.js';
export * from './alarm-actions.js';
export { ActionWorker, ownedEnterprises, type ActionWorkerOptions } from './action-worker.js';
export { ingestErrors } from './errors.js';
export {
  buildIngestService,
  type IngestReadiness,
  type IngestService,
  type IngestServiceDeps,
  type VersionedSite,
} from './ingest-service.js';
export {
  buildLeasedIngestService,
  leasedWorkerId,
  type LeasedIngestService,
} from './leased-ingest-service.js';
export type { IngestStore } from './ingest-storage.js';
export {
  TimescaleJobWatch,
  TIMESCALE_COMPONENT,
  type DegradedJob,
  type TimescaleJobWatchDeps,
} from './timescale-job-watch.js';
export { EnterpriseScope } from './enterprise-scope.js';
export * from './partitions/index.js';
