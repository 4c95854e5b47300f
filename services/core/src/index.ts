/**
 * @hazardwatch/core — pure domain logic, no I/O, browser-safe.
 * Site model and configuration, GB 18218-2018 assessment, enterprise risk colour,
 * coded errors (the registry machinery and config parsing are @hazardwatch/kit's).
 */
export { coreErrors, type CoreErrorCode } from './errors.js';

export {
  ENTERPRISE_RISK_COLOUR_ZH,
  enterpriseRiskColour,
  enterpriseRiskGrade,
  type EnterpriseRiskColour,
  type EnterpriseRiskGrade,
} from './enterprise-risk.js';

export {
  ALPHA_TABLE,
  CATEGORY_TABLE,
  GB18218_STANDARD,
  HAZARD_LEVEL_ZH,
  LEVEL_TABLE,
  NAMED_SUBSTANCES,
  TABLE3_BETA,
  findNamedSubstance,
  isHazardCategory,
  lookupSubstance,
  substanceKey,
  type Gb18218Standard,
  type HazardCategory,
  type HazardLevel,
  type NamedSubstance,
  type SubstanceLookup,
} from './gb18218-constants.js';
export { GB18218_TABLE1, type Table1Entry } from './gb18218-table1.js';
export {
  IMPLAUSIBLE_QUANTITY_RATIO,
  alphaForPopulation,
  assessHazard,
  computeR,
  computeS,
  findDoubleEntries,
  hazardLevelFromR,
  isImplausibleQuantity,
  resolveInventoryLine,
  resolveInventoryLineDetailed,
  type AssessmentTerm,
  type DoubleEntry,
  type HazardAssessment,
  type InventoryLine,
  type ResolvedLine,
} from './gb18218.js';

export {
  COMBUSTIBLE_L1_MAX_PCT_LEL,
  COMBUSTIBLE_L2_MAX_PCT_LEL,
  OPEN_PATH_DEFAULT_L1_LEL_M,
  OPEN_PATH_DEFAULT_L2_LEL_M,
  OXYGEN_DEFAULT_HIGH_PCT_VOL,
  OXYGEN_DEFAULT_LOW_PCT_VOL,
  TOXIC_L1_MAX_IDLH_FRACTION,
  TOXIC_L1_MAX_OEL_FRACTION,
  TOXIC_L2_MAX_IDLH_FRACTION,
  TOXIC_L2_MAX_OEL_FRACTION,
  OEL_SAME_VALUE_TOLERANCE,
  OXYGEN_NORMAL_AIR_PCT_VOL,
} from './gas-rules.js';
export {
  MOLAR_VOLUME_L_PER_MOL,
  OEL_TABLE,
  concentrationUnit,
  findOel,
  fromMgM3,
  oelBasisMgM3,
  type ConcentrationUnit,
  type OelEntry,
} from './oel-table.js';

export {
  EnterpriseSchema,
  FloorPlanPositionSchema,
  GatewaySchema,
  HAZARD_TYPES,
  HazardSchema,
  InventoryItemSchema,
  LIMIT_NAMES,
  LocationSchema,
  POINT_KINDS,
  PersonSchema,
  PointSchema,
  REGION_KINDS,
  RegionSchema,
  SiteFileSchema,
  TAG_PATTERN,
  TOPIC_SAFE_CODE,
  siteFileJsonSchema,
  type EnterpriseFile,
  type FloorPlanPosition,
  type GatewayFile,
  type HazardFile,
  type HazardType,
  type InventoryItem,
  type LimitName,
  type Location,
  type Person,
  type PointFile,
  type PointKind,
  type RegionFile,
  type RegionKind,
  type SiteFile,
} from './site-schema.js';
export {
  HazardAssessmentSchema,
  NormalisedEnterpriseSchema,
  NormalisedGatewaySchema,
  NormalisedHazardSchema,
  NormalisedPointSchema,
  NormalisedRegionSchema,
  NormalisedSiteSchema,
  type DeepReadonly,
  type NormalisedEnterprise,
  type NormalisedGateway,
  type NormalisedHazard,
  type NormalisedPoint,
  type NormalisedRegion,
  type NormalisedSite,
} from './site-normal-schema.js';
export { SITE_RULES, type SiteIssue, type SiteRule } from './site-issues.js';
export { SITE_DEFAULTS } from './site-normalise.js';
export {
  requireValidSite,
  validateSite,
  type SiteValidationResult,
  type ValidateSiteOptions,
} from './site-validate.js';
export { parseSiteDocument, type SiteDocumentFormat } from './site-document.js';
export { EMPTY_SITE, SiteIndex, pointKey, type IndexedPoint, type SiteIndexOptions } from './site-index.js';
export * from './alarms/index.js';
export * from './warnings/index.js';
export * from './kpi/index.js';
export * from './reports/index.js';
export * from './evaluation/index.js';
export {
  deviceMayPublish,
  deviceMaySubscribe,
  deviceUsername,
  MQTT_AUTH_FAILURES,
  type DeviceCredentialRecord,
  type DeviceIdentity,
  type MqttAuthFailure,
  type MqttAuthResult,
  type MqttPrincipal,
} from './mqtt-access.js';
export {
  changeKinds,
  classifyMonitoringChange,
  GAS_DETECTOR_KINDS,
  isGasDetector,
  type EntityChange,
  type MonitoringChangeLine,
} from './monitoring-change.js';
export {
  KNOWN_CLASH_ERROR,
  STALE_AFTER_INTERVALS,
  judgeJob,
  judgeJobs,
  type JobEffect,
  type JobHealth,
  type JobObservation,
  type JobVerdict,
  type StaleCause,
} from './platform/job-health.js';
