/**
 * The site model as the REST API serves it (GET /regions, /enterprises, /hazards, /points, …):
 * the normalised site of @hazardwatch/core (defaults applied, absent optionals null, durations
 * in ms) plus the counts and status the API adds.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  WarningColourSchema,
  FloorPlanPositionSchema,
  LonLatSchema,
  Nullable,
  OneOf,
  PageSchema,
  ItemsSchema,
  AnyJson,
} from './shapes.js';

export const REGION_KINDS = ['province', 'city', 'county', 'town', 'park'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];
export const HAZARD_TYPES = ['tank_farm', 'warehouse', 'production_unit'] as const;
export type HazardType = (typeof HAZARD_TYPES)[number];
export const LIMIT_NAMES = ['ll', 'l', 'h', 'hh'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export type LonLat = Static<typeof LonLatSchema>;
export type FloorPlanPosition = Static<typeof FloorPlanPositionSchema>;

const RegionKindSchema = OneOf(REGION_KINDS);
/** 一级 … 四级 (GB 18218-2018 §4). */
const HazardLevelSchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]);
const perLimit = <T extends ReturnType<typeof Nullable> | ReturnType<typeof Type.Number>>(schema: () => T) =>
  Type.Object({ ll: schema(), l: schema(), h: schema(), hh: schema() });

/** GET /regions: the visible regions as a forest (a visible region whose parent is hidden is a root). */
export const RegionNodeSchema = Type.Recursive(
  (This) =>
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      kind: RegionKindSchema,
      parent: Nullable(Type.String()),
      children: Type.Array(This),
    }),
  { $id: 'RegionNode' },
);
export type RegionNode = Static<typeof RegionNodeSchema>;
export const RegionForestSchema = ItemsSchema(RegionNodeSchema);

/** A region without its subtree. */
export const RegionSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: RegionKindSchema,
  parent: Nullable(Type.String()),
  centroid: Nullable(LonLatSchema),
});
export type Region = Static<typeof RegionSchema>;

/** GET /regions/:code */
export const RegionDetailSchema = Type.Object({
  ...RegionSchema.properties,
  /** Codes from the root down to this region. */
  chain: Type.Array(Type.String()),
  children: Type.Array(RegionSchema),
  /** Enterprises directly in this region. */
  enterprises: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
});
export type RegionDetail = Static<typeof RegionDetailSchema>;

/** An enterprise's static risk grade (企业安全风险分级, 2018 scale): not a 预警 colour of the moment. */
export const EnterpriseRiskSchema = Type.Object({
  scale: Type.Literal('enterprise-risk-2018'),
  score: Type.Number(),
  vetoes: Type.Array(Type.String()),
  colour: WarningColourSchema,
});

/** GET /enterprises, /enterprises/:enterprise */
export const EnterpriseSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  region: Type.String(),
  location: LonLatSchema,
  risk: Nullable(EnterpriseRiskSchema),
  hazards: Type.Integer(),
  gateways: Type.Integer(),
  points: Type.Integer(),
});
export type Enterprise = Static<typeof EnterpriseSchema>;
export const EnterprisePageSchema = PageSchema(EnterpriseSchema);

const PersonSchema = Type.Object({
  name: Type.String(),
  phone: Type.String(),
  userId: Type.Optional(Type.String()),
});

/** GB 18218-2018 assessment of a hazard's inventory (R and the level it gives). */
export const HazardAssessmentSchema = Type.Object({
  standard: Type.Literal('GB18218-2018'),
  s: Type.Number(),
  isMajorHazard: Type.Boolean(),
  exposedPopulation: Type.Integer(),
  alpha: Type.Number(),
  r: Type.Number(),
  level: HazardLevelSchema,
  terms: Type.Array(
    Type.Object({
      substance: Type.String(),
      cas: Nullable(Type.String()),
      category: Nullable(Type.String()),
      q: Type.Number(),
      criticalQ: Type.Number(),
      qSource: Type.Union([Type.Literal('table1'), Type.Literal('table2')]),
      beta: Type.Number(),
      betaSource: Type.Union([Type.Literal('table3'), Type.Literal('table4')]),
      ratio: Type.Number(),
      confirmed: Type.Boolean(),
    }),
  ),
  computedAt: Type.Optional(Type.Number()),
});

/** GET /hazards, /enterprises/:e/hazards/:h: both levels, declared and computed. */
export const HazardSchema = Type.Object({
  code: Type.String(),
  enterprise: Type.String(),
  name: Type.String(),
  type: OneOf(HAZARD_TYPES),
  declaredLevel: HazardLevelSchema,
  computedLevel: Nullable(HazardLevelSchema),
  levelMismatch: Type.Boolean(),
  assessment: Nullable(HazardAssessmentSchema),
  /** 包保责任制: 主要 / 技术 / 操作负责人. */
  responsible: Type.Object({ principal: PersonSchema, technical: PersonSchema, operational: PersonSchema }),
  location: LonLatSchema,
  floorPlan: Nullable(FloorPlanPositionSchema),
  exposedPopulation: Type.Integer(),
  inventory: Type.Array(
    Type.Object({
      substance: Nullable(Type.String()),
      cas: Nullable(Type.String()),
      category: Nullable(Type.String()),
      designMaxTonnes: Type.Number(),
    }),
  ),
  points: Type.Integer(),
});
export type Hazard = Static<typeof HazardSchema>;
export const HazardPageSchema = PageSchema(HazardSchema);

/** A gateway's last known status as the ingest stored it; null spoolDepth = never reported. */
export const GatewayLastStatusSchema = Type.Object({
  online: Type.Boolean(),
  /** ISO 8601. */
  lastSeen: Type.String(),
  spoolDepth: Nullable(Type.Integer()),
});
export type GatewayLastStatus = Static<typeof GatewayLastStatusSchema>;

/** GET /enterprises/:enterprise/gateways */
export const GatewaySchema = Type.Object({
  code: Type.String(),
  enterprise: Type.String(),
  name: Type.String(),
  offlineAfterMs: Type.Number(),
  points: Type.Integer(),
  /** null = never heard from. */
  status: Nullable(GatewayLastStatusSchema),
});
export type Gateway = Static<typeof GatewaySchema>;
export const GatewayListSchema = ItemsSchema(GatewaySchema);

/** GET /points, /points/:id: a monitoring point with its compiled alarm settings. */
export const PointSchema = Type.Object({
  id: Type.Integer(),
  tag: Type.String(),
  enterprise: Type.String(),
  hazard: Nullable(Type.String()),
  gateway: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  unit: Type.String(),
  deviceCode: Nullable(Type.String()),
  indicatorCode: Nullable(Type.String()),
  range: Type.Object({ min: Type.Number(), max: Type.Number() }),
  /** LL/L/H/HH in the point's unit. */
  limits: perLimit(() => Nullable(Type.Number())),
  /** Limits filled from a standard default rather than from the site file. */
  limitsDefaulted: Type.Array(OneOf(LIMIT_NAMES)),
  deadband: perLimit(() => Type.Number()),
  onDelayMs: Type.Number(),
  offDelayMs: Type.Number(),
  staleAfterMs: Type.Number(),
  rateOfChange: Type.Array(
    Type.Object({
      direction: Type.Union([Type.Literal('rising'), Type.Literal('falling')]),
      slopePerMin: Type.Number(),
      windowMs: Type.Number(),
    }),
  ),
  gas: Nullable(
    Type.Object({
      substance: Nullable(Type.String()),
      basis: Nullable(Type.Union([Type.Literal('OEL'), Type.Literal('IDLH')])),
      oel: Nullable(Type.Number()),
      idlh: Nullable(Type.Number()),
    }),
  ),
  independentOf: Nullable(Type.String()),
  hhIndependent: Type.Boolean(),
  interlocks: perLimit(() => Nullable(Type.String())),
  enabled: Type.Boolean(),
  location: LonLatSchema,
  floorPlan: Nullable(FloorPlanPositionSchema),
});
export type Point = Static<typeof PointSchema>;
export const PointPageSchema = PageSchema(PointSchema);

/** GET /site: the stored site document, as written (defaults not applied). */
export const SiteExportSchema = Type.Object({
  version: Type.Integer(),
  /** The document's SHA-256 as stored; null when the store has none. */
  sha256: Nullable(Type.String()),
  loadedAt: Type.Number(),
  document: AnyJson('the site document as imported'),
});
export type SiteExport = Static<typeof SiteExportSchema>;

/** A rule the site passes but should not (a defect, not an error). */
export const SiteDefectSchema = Type.Object({
  rule: Type.String(),
  path: Type.String(),
  message: Type.String(),
});

/** PUT /site */
export const SiteImportResultSchema = Type.Object({
  version: Type.Integer(),
  points: Type.Integer(),
  defects: Type.Array(SiteDefectSchema),
});
export type SiteImportResult = Static<typeof SiteImportResultSchema>;

/** POST/PATCH/DELETE of one site entity: the new site version and the entity as written (null once deleted). */
export const SiteEditResultSchema = Type.Object({
  siteVersion: Type.Integer(),
  value: AnyJson('the entity as written in the site document; null after a delete'),
});
export type SiteEditResult = Static<typeof SiteEditResultSchema>;
