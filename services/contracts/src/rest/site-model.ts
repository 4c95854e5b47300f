/**
 * The site model's normal form (STYLE rule 6): the compiled site every service runs on and the
 * REST API serves. Defaults are applied, absent optionals are `null` (never `undefined`),
 * durations are milliseconds (`…Ms`), deadbands are resolved per limit in engineering units.
 *
 * Declared once, here: @hazardwatch/core normalises a site file into these schemas and checks a
 * stored copy against them; the REST resources (site.ts) add their counts and status to them.
 * Every object is closed, so a check rejects a key the model does not have.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import {
  FloorPlanPositionSchema,
  LonLatSchema,
  Nullable,
  OneOf,
  WarningColourSchema,
  closed,
} from './shapes.js';

export const REGION_KINDS = ['province', 'city', 'county', 'town', 'park'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];
export const HAZARD_TYPES = ['tank_farm', 'warehouse', 'production_unit'] as const;
export type HazardType = (typeof HAZARD_TYPES)[number];
export const POINT_KINDS = [
  'temperature',
  'pressure',
  'level',
  'flow',
  'valve_position',
  'combustible_gas',
  'toxic_gas',
  'oxygen',
  'open_path_gas',
  'humidity',
  'wind_speed',
  'wind_direction',
  'other',
] as const;
export type PointKind = (typeof POINT_KINDS)[number];
/**
 * Gas detectors (GB/T 50493-2019: combustible and toxic gas detection, open-path combustible
 * detectors included): their `h`/`hh` are gas alarm levels 1/2, the colour policy's gas rules
 * apply to them, and their 停用 is its own change kind (monitoring.gas-detector.disable), which
 * waits for the regulator by default. The one list; core and the dashboard import it.
 */
export const GAS_DETECTOR_KINDS = [
  'combustible_gas',
  'toxic_gas',
  'open_path_gas',
] as const satisfies readonly PointKind[];
export type GasDetectorKind = (typeof GAS_DETECTOR_KINDS)[number];
export const isGasDetectorKind = (kind: PointKind): kind is GasDetectorKind =>
  (GAS_DETECTOR_KINDS as readonly PointKind[]).includes(kind);
export const LIMIT_NAMES = ['ll', 'l', 'h', 'hh'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** A duration in ms, ≥ 0. */
const DurationMs = (description: string) => Type.Number({ minimum: 0, description: `${description} (ms)` });

/** 一级 … 四级 (GB 18218-2018 §4). */
export const HazardLevelSchema = Type.Union([
  Type.Literal(1),
  Type.Literal(2),
  Type.Literal(3),
  Type.Literal(4),
]);

/** Mainland mobile (optional +86) or landline with area code and optional extension. */
export const PHONE_PATTERN = '^(?:(?:\\+86)?1[3-9]\\d{9}|0\\d{2,3}-?\\d{7,8}(?:-\\d{1,6})?)$';
/** An e-mail address as SMTP servers accept it (local@domain.tld; no spaces). */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

/** A person of the 包保责任制; also how the site file names one. */
export const PersonSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'person name' }),
    phone: Type.String({
      pattern: PHONE_PATTERN,
      description:
        'phone number for warning push: a mainland mobile (11 digits, 1[3-9]…, optional +86) — SMS and robot @-mentions need one — or a landline with area code (0xx-xxxxxxxx, optional extension)',
    }),
    email: Type.Optional(
      Type.String({ pattern: EMAIL_PATTERN, maxLength: 254, description: 'e-mail address for warning push' }),
    ),
    userId: Type.Optional(
      Type.String({ minLength: 1, description: 'HazardWatch user id, for in-app routing' }),
    ),
  },
  closed,
);

export const NormalisedRegionSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    kind: OneOf(REGION_KINDS),
    parent: Nullable(Type.String()),
    centroid: Nullable(LonLatSchema),
  },
  closed,
);

/** An enterprise's static risk grade (企业安全风险分级, 2018 scale): not a 预警 colour of the moment. */
export const EnterpriseRiskGradeSchema = Type.Object(
  {
    scale: Type.Literal('enterprise-risk-2018'),
    score: Type.Number(),
    vetoes: Type.Array(Type.String()),
    colour: WarningColourSchema,
  },
  closed,
);

export const NormalisedEnterpriseSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    region: Type.String(),
    location: LonLatSchema,
    risk: Nullable(EnterpriseRiskGradeSchema),
  },
  closed,
);

/** One term Σ q/Q·β of R (GB 18218-2018 §4.2.3). */
export const AssessmentTermSchema = Type.Object(
  {
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
  },
  closed,
);

/** GB 18218-2018 assessment of a hazard's inventory (R and the level it gives). */
export const HazardAssessmentSchema = Type.Object(
  {
    standard: Type.Literal('GB18218-2018'),
    s: Type.Number(),
    isMajorHazard: Type.Boolean(),
    exposedPopulation: Type.Integer({ minimum: 0 }),
    alpha: Type.Number(),
    r: Type.Number(),
    level: HazardLevelSchema,
    terms: Type.Array(AssessmentTermSchema),
    computedAt: Type.Optional(Type.Number()),
  },
  closed,
);

export const NormalisedHazardSchema = Type.Object(
  {
    code: Type.String(),
    enterprise: Type.String(),
    name: Type.String(),
    declaredLevel: HazardLevelSchema,
    type: OneOf(HAZARD_TYPES),
    /** 包保责任制: 主要 / 技术 / 操作负责人. */
    responsible: Type.Object(
      { principal: PersonSchema, technical: PersonSchema, operational: PersonSchema },
      closed,
    ),
    location: LonLatSchema,
    floorPlan: Nullable(FloorPlanPositionSchema),
    inventory: Type.Array(
      Type.Object(
        {
          substance: Nullable(Type.String()),
          cas: Nullable(Type.String()),
          category: Nullable(Type.String()),
          designMaxTonnes: Type.Number({ minimum: 0 }),
        },
        closed,
      ),
    ),
    exposedPopulation: Type.Integer({ minimum: 0 }),
    /** GB 18218-2018 assessment from the inventory; null only when the inventory could not be resolved. */
    assessment: Nullable(HazardAssessmentSchema),
  },
  closed,
);

export const NormalisedGatewaySchema = Type.Object(
  {
    code: Type.String(),
    enterprise: Type.String(),
    name: Type.String(),
    offlineAfterMs: DurationMs('no heartbeat for this long ⇒ offline'),
  },
  closed,
);

const perLimit = <T extends TSchema>(schema: () => T) =>
  Type.Object({ ll: schema(), l: schema(), h: schema(), hh: schema() }, closed);

export const NormalisedPointSchema = Type.Object(
  {
    tag: Type.String(),
    enterprise: Type.String(),
    hazard: Nullable(Type.String()),
    gateway: Type.String(),
    /** Defaults to the tag. */
    name: Type.String(),
    kind: OneOf(POINT_KINDS),
    unit: Type.String(),
    deviceCode: Nullable(Type.String()),
    indicatorCode: Nullable(Type.String()),
    range: Type.Object({ min: Type.Number(), max: Type.Number() }, closed),
    /** LL/L/H/HH in the point unit; gas level-1 = `h`, level-2 = `hh`; O₂ deficiency = `l`, excess = `h`. */
    limits: perLimit(() => Nullable(Type.Number())),
    /** Limits filled from a standard default (O₂, open-path gas) rather than from the file. */
    limitsDefaulted: Type.Array(OneOf(LIMIT_NAMES)),
    /** Per-limit deadband in the point unit (per-limit value, else per-point value, else 0). */
    deadband: perLimit(() => Type.Number({ minimum: 0 })),
    onDelayMs: DurationMs('on-delay'),
    offDelayMs: DurationMs('off-delay'),
    staleAfterMs: DurationMs('staleness timeout'),
    rateOfChange: Type.Array(
      Type.Object(
        {
          direction: Type.Union([Type.Literal('rising'), Type.Literal('falling')]),
          slopePerMin: Type.Number({ exclusiveMinimum: 0 }),
          windowMs: Type.Number({ exclusiveMinimum: 0 }),
        },
        closed,
      ),
    ),
    gas: Nullable(
      Type.Object(
        {
          substance: Nullable(Type.String()),
          basis: Nullable(Type.Union([Type.Literal('OEL'), Type.Literal('IDLH')])),
          oel: Nullable(Type.Number()),
          idlh: Nullable(Type.Number()),
        },
        closed,
      ),
    ),
    /** Tag of the level channel this point is an independent HH sensor for. */
    independentOf: Nullable(Type.String()),
    /** The HH of this point comes from an independent sensor: own flag, or another point is `independentOf` it. */
    hhIndependent: Type.Boolean(),
    interlocks: perLimit(() => Nullable(Type.String())),
    enabled: Type.Boolean(),
    /** Own coordinates, else the hazard's, else the enterprise's. */
    location: LonLatSchema,
    floorPlan: Nullable(FloorPlanPositionSchema),
  },
  closed,
);

export const NormalisedSiteSchema = Type.Object(
  {
    version: Type.Literal(1),
    name: Nullable(Type.String()),
    defaults: Type.Object(
      {
        onDelayMs: DurationMs('default on-delay'),
        offDelayMs: DurationMs('default off-delay'),
        staleAfterMs: DurationMs('default staleness timeout'),
        gatewayOfflineAfterMs: DurationMs('default gateway offline timeout'),
      },
      closed,
    ),
    regions: Type.Array(NormalisedRegionSchema),
    enterprises: Type.Array(NormalisedEnterpriseSchema),
    hazards: Type.Array(NormalisedHazardSchema),
    gateways: Type.Array(NormalisedGatewaySchema),
    points: Type.Array(NormalisedPointSchema),
  },
  closed,
);
