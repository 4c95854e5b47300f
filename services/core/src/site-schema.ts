/**
 * The site file: what a user writes (YAML or JSON) to describe regions, enterprises, major
 * hazards, gateways and monitoring points. Flat lists joined by codes, so a province-wide file
 * and a one-enterprise file have the same shape.
 *
 * Every object rejects unknown keys (STYLE rule 5). Durations are in seconds here (`…Sec`) and
 * compiled to milliseconds in the normalised form (site-normal-schema.ts). Limits, deadbands and
 * ranges are in the point's own engineering unit.
 */
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { HAZARD_TYPES, LonLatSchema, PersonSchema, POINT_KINDS, REGION_KINDS } from '@hazardwatch/contracts';

/** The site file's vocabularies and its person are the normal form's (@hazardwatch/contracts). */
export {
  HAZARD_TYPES,
  LIMIT_NAMES,
  PersonSchema,
  POINT_KINDS,
  REGION_KINDS,
  type HazardType,
  type LimitName,
  type PointKind,
  type RegionKind,
} from '@hazardwatch/contracts';

const closed = { additionalProperties: false } as const;

/** Topic-safe code: one MQTT topic level, usable as a partition key. */
export const TOPIC_SAFE_CODE = '^[A-Za-z0-9_-]{1,64}$';
/**
 * 位号 (tag): printable ASCII without space, `/`, `+`, `#` (MQTT separators and wildcards), so a
 * tag can sit in a topic level. Plant tags such as `LT-1101A` or `AT_2301.PV` fit.
 */
export const TAG_PATTERN = '^[!"$-*,-.0-~]{1,64}$';

const Code = (description: string) => Type.String({ pattern: TOPIC_SAFE_CODE, description });
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });
const Seconds = (description: string) => Type.Number({ minimum: 0, description: `${description} (s)` });
type LiteralTuple<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };
/** A union of string literals; validation reports the allowed values (see site-structure.ts). */
function Literals<const T extends readonly string[]>(
  values: T,
  description: string,
): TUnion<LiteralTuple<T>> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  ) as unknown as TUnion<LiteralTuple<T>>;
}

/** WGS-84 coordinates in decimal degrees: the same shape the normal form and the API carry. */
export const LocationSchema = LonLatSchema;

/** Position on a plant floor plan image, in that image's pixels from the top-left corner. */
export const FloorPlanPositionSchema = Type.Object(
  {
    plan: Type.Optional(
      Type.String({ minLength: 1, description: 'floor plan id; default: the hazard/enterprise plan' }),
    ),
    x: Type.Number({ minimum: 0 }),
    y: Type.Number({ minimum: 0 }),
  },
  closed,
);

export const RegionSchema = Type.Object(
  {
    code: Code('administrative division code (e.g. 320500), or a park code'),
    name: Text('region name, e.g. 苏州市'),
    kind: Literals(REGION_KINDS, 'province | city | county (县/区) | town (乡镇/街道) | park (化工园区)'),
    parent: Type.Optional(Code('code of the enclosing region; required except for provinces')),
    centroid: Type.Optional(LocationSchema),
  },
  closed,
);

export const EnterpriseRiskSchema = Type.Object(
  {
    score: Type.Number({ minimum: 0, maximum: 200, description: '2018 诊断分级指南 score (starts at 100)' }),
    vetoes: Type.Optional(Type.Array(Text('veto condition met (一票否决项)'))),
  },
  closed,
);

export const EnterpriseSchema = Type.Object(
  {
    code: Code('统一社会信用代码 (18 chars) or enterprise code'),
    name: Text('enterprise name'),
    region: Code('code of the region (county, town or park) the enterprise belongs to'),
    location: LocationSchema,
    risk: Type.Optional(EnterpriseRiskSchema),
  },
  closed,
);

/** One line of the GB 18218-2018 inventory: give a Table 1 name/CAS, or a Table 2 category, or both. */
export const InventoryItemSchema = Type.Object(
  {
    substance: Type.Optional(Text('substance name (Chinese or English, Table 1)')),
    cas: Type.Optional(Type.String({ pattern: '^[0-9]{2,7}-[0-9]{2}-[0-9]$', description: 'CAS number' })),
    category: Type.Optional(
      Type.String({
        pattern: '^(J[1-5]|W[0-9]{1,2}(\\.[0-9])?)$',
        description: 'Table 2 category, e.g. W5.3',
      }),
    ),
    designMaxTonnes: Type.Number({
      minimum: 0,
      description: 'design maximum quantity q (t), GB 18218-2018 §4.2.2',
    }),
  },
  closed,
);

export const HazardSchema = Type.Object(
  {
    code: Code('major hazard code, unique within the enterprise'),
    enterprise: Code('enterprise code'),
    name: Text('major hazard name, e.g. 液氯罐区'),
    declaredLevel: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)], {
      description: 'declared level: 1 = 一级 … 4 = 四级',
    }),
    type: Literals(HAZARD_TYPES, 'tank_farm (储罐区) | warehouse (库区) | production_unit (生产场所)'),
    responsible: Type.Object(
      {
        principal: PersonSchema,
        technical: PersonSchema,
        operational: PersonSchema,
      },
      { ...closed, description: '包保责任人: 主要 / 技术 / 操作负责人' },
    ),
    location: LocationSchema,
    floorPlan: Type.Optional(FloorPlanPositionSchema),
    inventory: Type.Array(InventoryItemSchema, { minItems: 1 }),
    exposedPopulation: Type.Integer({
      minimum: 0,
      description: 'people outside the plant who could be exposed (GB 18218-2018 Table 5, α)',
    }),
  },
  closed,
);

export const GatewaySchema = Type.Object(
  {
    code: Code('gateway code, unique within the enterprise'),
    enterprise: Code('enterprise code'),
    name: Text('gateway name'),
    offlineAfterSec: Type.Optional(
      Seconds('no heartbeat for this long ⇒ gateway offline; default: site defaults'),
    ),
  },
  closed,
);

const limitFields = (description: string) => ({
  ll: Type.Optional(Type.Number({ description: `${description} LL (低低报)` })),
  l: Type.Optional(Type.Number({ description: `${description} L (低报)` })),
  h: Type.Optional(Type.Number({ description: `${description} H (高报; gas level-1 一级报警)` })),
  hh: Type.Optional(Type.Number({ description: `${description} HH (高高报; gas level-2 二级报警)` })),
});

/**
 * Alarm limits in the point's unit. Gas channels map their two alarm levels onto `h` (level-1,
 * 一级报警) and `hh` (level-2, 二级报警), as the Jiangsu sensor table does with 上限01/上限02.
 */
export const LimitsSchema = Type.Object(limitFields('limit'), closed);

export const DeadbandsSchema = Type.Object(
  {
    ll: Type.Optional(Type.Number({ minimum: 0 })),
    l: Type.Optional(Type.Number({ minimum: 0 })),
    h: Type.Optional(Type.Number({ minimum: 0 })),
    hh: Type.Optional(Type.Number({ minimum: 0 })),
  },
  closed,
);

function interlockFields() {
  const text = (limit: string) => Type.Optional(Text(`interlock at ${limit}, e.g. 联锁关闭进料紧急切断阀`));
  return { ll: text('LL'), l: text('L'), h: text('H'), hh: text('HH') };
}

/** A rate-of-change rule. No defaults: REFERENCE §6 — slopes are agreed per tag with the site. */
export const RateOfChangeSchema = Type.Object(
  {
    direction: Literals(['rising', 'falling'] as const, 'rising | falling'),
    slopePerMin: Type.Number({ exclusiveMinimum: 0, description: 'magnitude of change, units per minute' }),
    windowSec: Type.Number({ exclusiveMinimum: 0, description: 'window the slope is measured over (s)' }),
  },
  closed,
);

/** Gas basis for toxic channels, GB/T 50493-2019 §5.5.2. Values are in the point's unit. */
export const GasSchema = Type.Object(
  {
    substance: Type.Optional(Text('gas, e.g. 氯气 / Cl2')),
    basis: Type.Optional(
      Literals(
        ['OEL', 'IDLH'] as const,
        'set-point basis for toxic gas; IDLH only when the range cannot cover OEL',
      ),
    ),
    oel: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'occupational exposure limit, in the point unit' }),
    ),
    idlh: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'IDLH value, in the point unit' })),
  },
  closed,
);

export const PointSchema = Type.Object(
  {
    tag: Type.String({ pattern: TAG_PATTERN, description: '位号, unique within the enterprise' }),
    enterprise: Code('enterprise code'),
    hazard: Type.Optional(
      Code('major hazard code (same enterprise); omit for site-wide points such as weather'),
    ),
    gateway: Code('gateway code (same enterprise)'),
    name: Type.Optional(Text('point description')),
    kind: Literals(POINT_KINDS, 'measurement kind'),
    unit: Type.String({
      minLength: 1,
      maxLength: 32,
      description: 'engineering unit, e.g. °C, MPa, %LEL, ppm, %VOL',
    }),
    deviceCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: '设备编码 / sensor id' }),
    ),
    indicatorCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: '指标编码' })),
    range: Type.Object(
      { min: Type.Number(), max: Type.Number() },
      { ...closed, description: '量程 in the point unit' },
    ),
    limits: Type.Optional(LimitsSchema),
    deadband: Type.Optional(
      Type.Number({ minimum: 0, description: 'deadband for every limit, point unit; @default 0' }),
    ),
    deadbands: Type.Optional(DeadbandsSchema),
    onDelaySec: Type.Optional(
      Seconds('value must stay beyond a limit this long before alarming; @default site default'),
    ),
    offDelaySec: Type.Optional(
      Seconds('alarm holds this long after the value returns; @default site default'),
    ),
    staleAfterSec: Type.Optional(Seconds('no reading for this long ⇒ stale; @default site default')),
    rateOfChange: Type.Optional(Type.Array(RateOfChangeSchema)),
    gas: Type.Optional(GasSchema),
    independentOf: Type.Optional(
      Type.String({
        pattern: TAG_PATTERN,
        description: 'tag of the level channel this point is an independent HH sensor for (GB/T 41394-2022)',
      }),
    ),
    hhIndependent: Type.Optional(
      Type.Boolean({ description: "this point's HH comes from its own independent sensor; @default false" }),
    ),
    interlocks: Type.Optional(
      Type.Object(interlockFields(), {
        ...closed,
        description: 'interlock per limit, shown with the alarm (REFERENCE §8 item 11)',
      }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: '@default true (是否停用 = false)' })),
    location: Type.Optional(LocationSchema),
    floorPlan: Type.Optional(FloorPlanPositionSchema),
  },
  closed,
);

/** Site-wide defaults. All optional; the documented defaults apply when absent. */
export const SiteDefaultsSchema = Type.Object(
  {
    onDelaySec: Type.Optional(Seconds('@default 0')),
    offDelaySec: Type.Optional(Seconds('@default 0')),
    staleAfterSec: Type.Optional(Seconds('@default 300 (provisional: national value not found)')),
    gatewayOfflineAfterSec: Type.Optional(Seconds('@default 300 (provisional)')),
  },
  closed,
);

export const SiteFileSchema = Type.Object(
  {
    version: Type.Literal(1, { description: 'site file format version' }),
    name: Type.Optional(Text('name of this configuration, e.g. 苏州市危化品监测预警')),
    defaults: Type.Optional(SiteDefaultsSchema),
    regions: Type.Array(RegionSchema),
    enterprises: Type.Array(EnterpriseSchema),
    hazards: Type.Optional(Type.Array(HazardSchema)),
    gateways: Type.Array(GatewaySchema),
    points: Type.Array(PointSchema),
  },
  { ...closed, $id: 'https://hazardwatch.dev/schema/site-file.json', title: 'HazardWatch site file' },
);

export type SiteFile = Static<typeof SiteFileSchema>;
export type RegionFile = Static<typeof RegionSchema>;
export type EnterpriseFile = Static<typeof EnterpriseSchema>;
export type HazardFile = Static<typeof HazardSchema>;
export type InventoryItem = Static<typeof InventoryItemSchema>;
export type GatewayFile = Static<typeof GatewaySchema>;
export type PointFile = Static<typeof PointSchema>;
export type Person = Static<typeof PersonSchema>;
export type Location = Static<typeof LocationSchema>;
export type FloorPlanPosition = Static<typeof FloorPlanPositionSchema>;

/** The site file's JSON Schema (draft 2019-09 compatible), for editors and `docs/site-file.schema.json`. */
export function siteFileJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(SiteFileSchema)) as Record<string, unknown>;
}
