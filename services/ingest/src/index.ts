export * from './app.js';
export * from './config.js';
export * from './durable-ack-subscriber.js';
export * from './gateway-fault-relay.js';
export * from './gateway-presence.js';
export * from './gateway-status-recorder.js';
export * from './ingest-counters.js';
export * from './ingest-pipeline.js';
export * from './latest-values.js';
export * from './point-directory.js';
/**
 * @deprecated The timers are @hazardwatch/kit's `systemClock`; this alias stays only until the CLI's
 * ingest service (being moved into this package as buildIngestService) stops importing it.
 */
export { systemClock as realTimers } from '@hazardwatch/kit';
export * from './telemetry-decoder.js';
export * from './ingest-metrics.js';
export * from './notify/index.js';
export * from './alarm-host.js';
export * from './alarm-actions.js';
export { ActionWorker, ownedEnterprises, type ActionWorkerOptions } from './action-worker.js';
export { ingestErrors } from './errors.js';
