/**
 * The normalised site: the compiled form every service runs on (STYLE rule 6). Defaults are
 * applied, absent optionals are `null` (never `undefined`), durations are milliseconds (`…Ms`),
 * deadbands are resolved per limit in engineering units, and the whole tree is frozen.
 *
 * Described as TypeBox schemas too, so the store and the API can check a stored/served copy.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  HAZARD_TYPES,
  LIMIT_NAMES,
  LocationSchema,
  PersonSchema,
  POINT_KINDS,
  REGION_KINDS,
} from './site-schema.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Ms = (description: string) => Type.Number({ minimum: 0, description: `${description} (ms)` });
const OneOf = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** Deep `readonly`, for the frozen normalised tree. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Floor-plan position in plan-image pixels; `plan` null = the hazard's/enterprise's default plan. */
export const NormalisedFloorPlanSchema = Type.Object(
  { plan: Nullable(Type.String()), x: Type.Number({ minimum: 0 }), y: Type.Number({ minimum: 0 }) },
  closed,
);

export const NormalisedRegionSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    kind: Type.Union(REGION_KINDS.map((k) => Type.Literal(k))),
    parent: Nullable(Type.String()),
    centroid: Nullable(LocationSchema),
  },
  closed,
);

export const EnterpriseRiskGradeSchema = Type.Object(
  {
    scale: Type.Literal('enterprise-risk-2018'),
    score: Type.Number(),
    vetoes: Type.Array(Type.String()),
    colour: Type.Union([
      Type.Literal('blue'),
      Type.Literal('yellow'),
      Type.Literal('orange'),
      Type.Literal('red'),
    ]),
  },
  closed,
);

export const NormalisedEnterpriseSchema = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    region: Type.String(),
    location: LocationSchema,
    risk: Nullable(EnterpriseRiskGradeSchema),
  },
  closed,
);

const HazardLevelSchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]);

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
    responsible: Type.Object(
      { principal: PersonSchema, technical: PersonSchema, operational: PersonSchema },
      closed,
    ),
    location: LocationSchema,
    floorPlan: Nullable(NormalisedFloorPlanSchema),
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
    offlineAfterMs: Ms('no heartbeat for this long ⇒ offline'),
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
    kind: Type.Union(POINT_KINDS.map((k) => Type.Literal(k))),
    unit: Type.String(),
    deviceCode: Nullable(Type.String()),
    indicatorCode: Nullable(Type.String()),
    range: Type.Object({ min: Type.Number(), max: Type.Number() }, closed),
    /** LL/L/H/HH in the point unit; gas level-1 = `h`, level-2 = `hh`; O₂ deficiency = `l`, excess = `h`. */
    limits: perLimit(() => Nullable(Type.Number())),
    /** Limits filled from a standard default (O₂, open-path gas) rather than from the file. */
    limitsDefaulted: Type.Array(Type.Union(LIMIT_NAMES.map((l) => Type.Literal(l)))),
    /** Per-limit deadband in the point unit (per-limit value, else per-point value, else 0). */
    deadband: perLimit(() => Type.Number({ minimum: 0 })),
    onDelayMs: Ms('on-delay'),
    offDelayMs: Ms('off-delay'),
    staleAfterMs: Ms('staleness timeout'),
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
    location: LocationSchema,
    floorPlan: Nullable(NormalisedFloorPlanSchema),
  },
  closed,
);

export const NormalisedSiteSchema = Type.Object(
  {
    version: Type.Literal(1),
    name: Nullable(Type.String()),
    defaults: Type.Object(
      {
        onDelayMs: Ms('default on-delay'),
        offDelayMs: Ms('default off-delay'),
        staleAfterMs: Ms('default staleness timeout'),
        gatewayOfflineAfterMs: Ms('default gateway offline timeout'),
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

export type NormalisedSite = DeepReadonly<Static<typeof NormalisedSiteSchema>>;
export type NormalisedRegion = DeepReadonly<Static<typeof NormalisedRegionSchema>>;
export type NormalisedEnterprise = DeepReadonly<Static<typeof NormalisedEnterpriseSchema>>;
export type NormalisedHazard = DeepReadonly<Static<typeof NormalisedHazardSchema>>;
export type NormalisedGateway = DeepReadonly<Static<typeof NormalisedGatewaySchema>>;
export type NormalisedPoint = DeepReadonly<Static<typeof NormalisedPointSchema>>;
