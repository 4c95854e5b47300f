export * from './errors.js';
export * from './storage-errors.js';
export * from './sql-client.js';
export * from './options.js';
export * from './dialect.js';
export * from './migrate.js';
export type { Migration } from './migrations/types.js';
export { TIMESCALE_JOB_IDENTITIES } from './timescale-policies.js';
export { timescaleJobs, type TimescaleJobRow } from './timescale-jobs.js';
export * from './partitions.js';
export * from './rollups.js';
export * from './history.js';
export * from './dead-letters.js';
export * from './point-ids.js';
export * from './site-documents.js';
export { watchSiteDocuments, type SiteWatch, type SiteWatchOptions } from './site-watch.js';
export * from './reading-buffer.js';
export * from './copy-binary.js';
export * from './scaled-values.js';
export * from './reading-writer.js';
export * from './site-repository.js';
export * from './notification-outbox.js';
export * from './alarm-repository.js';
export * from './lease-repository.js';
export * from './warning-repository.js';
export * from './alarm-queries.js';
export * from './alarm-journal.js';
export * from './warning-queries.js';
export * from './report-queries.js';
export * from './user-repository.js';
export * from './audit-repository.js';
export * from './plan-repository.js';
export * from './gateway-status-repository.js';
export * from './data-loss-repository.js';
export {
  DEVICE_CREDENTIAL_CHANNEL,
  DeviceCredentialRepository,
  type StoredDeviceCredential,
} from './device-credential-repository.js';
export {
  watchDeviceCredentials,
  type DeviceCredentialWatch,
  type DeviceCredentialWatchOptions,
} from './device-credential-watch.js';
export {
  hashDeviceSecret,
  MqttAccessControl,
  mqttAccessFromStore,
  newDeviceSecret,
  type CredentialChangeListener,
  type MqttAccessCounters,
  type MqttAccessOptions,
} from './mqtt-access-control.js';
export * from './action-requests.js';
export { PgListener, type PgListenerOptions } from './pg-listener.js';
export { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
export * from './monitoring-change-repository.js';
export * from './handover-repository.js';
