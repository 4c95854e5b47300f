export { enterprisesByPartition, fnv1a32, PARTITION_COUNT, partitionOf } from './partition-hash.js';
export { movesOf, planPartitions, type PlanInput } from './partition-plan.js';
export { HeldLeases, type LeaseTiming, type PartitionEpoch } from './held-leases.js';
export {
  PartitionKeeper,
  type LeaseStore,
  type LossReason,
  type PartitionKeeperOptions,
} from './partition-keeper.js';
export { PartitionSessions, type PartitionSessionsOptions } from './partition-sessions.js';
export { PartitionAlarmRepository, type PartitionOwnership } from './partition-alarm-repository.js';
export { PartitionUnit, type PartitionUnitDeps } from './partition-unit.js';
export { PartitionRouter, type RoutedUnit } from './partition-router.js';
export { PartitionOwner, type PartitionOwnerOptions } from './partition-owner.js';
export {
  LegacySessionDrain,
  type LegacySessionDrainOptions,
  type LegacySessionDrainResult,
} from './legacy-session-drain.js';
