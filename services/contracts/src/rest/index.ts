/** REST response schemas per resource (TypeBox) and the bodies the dashboard sends. */
export {
  AlarmConditionSchema,
  AlarmStateSchema,
  ColourCountsSchema,
  FloorPlanPositionSchema,
  ItemsSchema,
  LonLatSchema,
  MAX_EPOCH_MS,
  PageSchema,
  WarningColourSchema,
  type ItemList,
  type Page,
} from './shapes.js';
export * from './errors.js';
export * from './health.js';
export * from './users.js';
export * from './auth.js';
export * from './site-model.js';
export * from './site.js';
export * from './values.js';
export * from './history.js';
export * from './alarms.js';
export * from './warnings.js';
export * from './overview.js';
export * from './audit.js';
export * from './devices.js';
export * from './plans.js';
export * from './notifications.js';
export * from './changes.js';
export * from './handover.js';
export * from './journal.js';
export * from './reports.js';
