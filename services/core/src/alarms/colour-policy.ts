/**
 * 预警 colour policy as data (REFERENCE §1 Jilin mechanism: 红 重大, 橙 较大, 黄 一般, 蓝 低).
 * No national rule turning alarms into a coloured 预警 was found (REFERENCE §1, §9), so the table
 * below is OUR documented default, configurable per deployment.
 *
 * Three scales stay apart (REFERENCE §5, §8 item 3): the 预警 `WarningColour` computed here, the
 * hazard level 一级–四级 (GB 18218-2018, an input here), and the enterprise risk grade (§1 score),
 * which this module never reads.
 *
 * Default table, first matching rule wins:
 *   蓝 blue   data quality: STALE, GATEWAY_OFFLINE, SOURCE_DOWN, DATA_LOSS, SENSOR_BAD, OUT_OF_RANGE,
 *            NO_LIMITS (§8 item 18)
 *   红 red    gas level-2 (HH on combustible/toxic/open-path gas), any hazard (GB/T 50493-2019 §5.5.2)
 *   红 red    HH/LL on a 一级/二级 hazard
 *   橙 orange HH/LL on a 三级/四级 hazard, or on a point with no hazard (our choice: as 三/四级)
 *   橙 orange gas level-1 (H) on a 一级/二级 hazard
 *   橙 orange O₂ deficiency/excess (L/H on an oxygen point) on a 一级/二级 hazard — OUR choice: O₂
 *            deficiency is life-safety, so it ranks with gas level-1 there
 *   黄 yellow gas level-1 elsewhere, O₂ L/H elsewhere, any other H/L, rate of change
 *   fallback 黄 yellow
 * At hazard level (see hazard-colour.ts): 红 red when two or more independent gas detectors of
 * one hazard are in level-1 at once (cf. GB 16808-2025 two-detector alarm function), and one step
 * up when `escalation.minPoints` distinct points of the hazard are in process alarm.
 */
import {
  ALARM_CONDITIONS,
  colourRank,
  GAS_DETECTOR_KINDS,
  WARNING_COLOURS,
  type AlarmCondition,
  type WarningColour,
} from '@hazardwatch/contracts';
import { Type, type Static } from '@sinclair/typebox';
import { parseConfig } from '@hazardwatch/kit';
import type { HazardLevel } from '../gb18218-constants.js';
import { POINT_KINDS, type PointKind } from '../site-schema.js';
import { alarmErrors, fail, ok, type AlarmResult } from './alarm-errors.js';

const closed = { additionalProperties: false } as const;
const literals = <T extends string | number>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));
const ColourSchema = literals(WARNING_COLOURS);
const ConditionsSchema = Type.Array(literals(ALARM_CONDITIONS), { minItems: 1, uniqueItems: true });
const PointKindsSchema = Type.Array(literals(POINT_KINDS), { minItems: 1, uniqueItems: true });
/** A hazard level 1–4, or `none` for a point attached to no hazard (and for gateways). */
const HazardLevelsSchema = Type.Array(literals([1, 2, 3, 4, 'none'] as const), {
  minItems: 1,
  uniqueItems: true,
});

export const ColourRuleSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    colour: ColourSchema,
    conditions: ConditionsSchema,
    /** Absent: any point kind, and gateway sources. */
    pointKinds: Type.Optional(PointKindsSchema),
    /** Absent: any hazard level, and none. */
    hazardLevels: Type.Optional(HazardLevelsSchema),
    note: Type.Optional(Type.String()),
  },
  closed,
);
export type ColourRule = Static<typeof ColourRuleSchema>;

/** The gas detectors (contracts GAS_DETECTOR_KINDS, GB/T 50493-2019). */
const GAS_KINDS = GAS_DETECTOR_KINDS;

/** The default rule table (see the file comment). Order matters: first match wins. */
export const DEFAULT_COLOUR_RULES: readonly ColourRule[] = [
  {
    id: 'data-quality',
    colour: 'blue',
    conditions: [
      'STALE',
      'GATEWAY_OFFLINE',
      'SOURCE_DOWN',
      'DATA_LOSS',
      'SENSOR_BAD',
      'OUT_OF_RANGE',
      'NO_LIMITS',
    ],
    note: 'REFERENCE §8 item 18',
  },
  {
    id: 'gas-level-2',
    colour: 'red',
    conditions: ['HH'],
    pointKinds: [...GAS_KINDS],
    note: 'GB/T 50493-2019 §5.5.2 二级报警',
  },
  { id: 'hh-ll-major-hazard', colour: 'red', conditions: ['HH', 'LL'], hazardLevels: [1, 2] },
  { id: 'hh-ll', colour: 'orange', conditions: ['HH', 'LL'], hazardLevels: [3, 4, 'none'] },
  {
    id: 'gas-level-1-major-hazard',
    colour: 'orange',
    conditions: ['H'],
    pointKinds: [...GAS_KINDS],
    hazardLevels: [1, 2],
    note: 'GB/T 50493-2019 §5.5.2 一级报警',
  },
  {
    id: 'oxygen-major-hazard',
    colour: 'orange',
    conditions: ['L', 'H'],
    pointKinds: ['oxygen'],
    hazardLevels: [1, 2],
    note: 'our choice: O₂ deficiency is life-safety',
  },
  { id: 'gas-level-1', colour: 'yellow', conditions: ['H'], pointKinds: [...GAS_KINDS] },
  { id: 'oxygen', colour: 'yellow', conditions: ['L', 'H'], pointKinds: ['oxygen'] },
  { id: 'h-l', colour: 'yellow', conditions: ['H', 'L'] },
  {
    id: 'rate-of-change',
    colour: 'yellow',
    conditions: ['ROC_RISE', 'ROC_FALL'],
    note: 'REFERENCE §6: per-tag slopes only',
  },
];

export const ColourPolicySchema = Type.Object(
  {
    /** First matching rule gives an alarm's colour. @default DEFAULT_COLOUR_RULES */
    rules: Type.Array(ColourRuleSchema, { default: DEFAULT_COLOUR_RULES }),
    /** Colour of an alarm no rule matches. @default 'yellow' */
    fallback: Type.Union(
      WARNING_COLOURS.map((c) => Type.Literal(c)),
      { default: 'yellow' },
    ),
    /** Hazard-level rule: N independent gas detectors of one hazard in level-1 at once. */
    multiDetector: Type.Object(
      {
        /** @default true */
        enabled: Type.Boolean({ default: true }),
        /** @default 2 */
        minDetectors: Type.Integer({ minimum: 2, default: 2 }),
        /** Level-1 or above counts (a level-2 detector is also past level-1). @default ['H', 'HH'] */
        conditions: Type.Array(literals(ALARM_CONDITIONS), {
          minItems: 1,
          uniqueItems: true,
          default: ['H', 'HH'],
        }),
        /** @default ['combustible_gas', 'toxic_gas', 'open_path_gas'] */
        pointKinds: Type.Array(literals(POINT_KINDS), {
          minItems: 1,
          uniqueItems: true,
          default: [...GAS_KINDS],
        }),
        /** @default 'red' */
        colour: Type.Union(
          WARNING_COLOURS.map((c) => Type.Literal(c)),
          { default: 'red' },
        ),
      },
      { ...closed, default: {} },
    ),
    /** Hazard-level rule: many points of one hazard in alarm at once raise its colour. */
    escalation: Type.Object(
      {
        /** @default true */
        enabled: Type.Boolean({ default: true }),
        /** Distinct points of the hazard in alarm. @default 2 */
        minPoints: Type.Integer({ minimum: 2, default: 2 }),
        /** Colour steps up, capped at red. @default 1 */
        steps: Type.Integer({ minimum: 1, maximum: 3, default: 1 }),
        /**
         * Count data-quality (blue) alarms too. Default false, our choice: one gateway going
         * offline makes every point behind it stale, which says nothing about process danger.
         * @default false
         */
        countQuality: Type.Boolean({ default: false }),
      },
      { ...closed, default: {} },
    ),
    /**
     * GB/T 50493-2019 §5.1.2 (REFERENCE §8 item 10): level-2 combustible alarms and gas alarm
     * control-unit fault signals go to the fire-control room. There is no controller-fault
     * condition yet, so SENSOR_BAD on a gas detector stands for it (the controller reports
     * detector and loop faults on its fault output).
     */
    fireControlRoom: Type.Array(
      Type.Object({ conditions: ConditionsSchema, pointKinds: PointKindsSchema }, closed),
      {
        default: [
          { conditions: ['HH'], pointKinds: ['combustible_gas', 'open_path_gas'] },
          { conditions: ['SENSOR_BAD'], pointKinds: [...GAS_KINDS] },
        ],
      },
    ),
  },
  closed,
);
export type ColourPolicy = Static<typeof ColourPolicySchema>;

/** What an alarm's colour depends on. `pointKind` null: a gateway source. */
export interface AlarmColourContext {
  readonly condition: AlarmCondition;
  readonly pointKind: PointKind | null;
  /** GB 18218-2018 level of the point's hazard; null when the point belongs to no hazard. */
  readonly hazardLevel: HazardLevel | null;
}

/** Validate a deployment's colour policy (unknown keys rejected by name), apply defaults, freeze. */
export function compileColourPolicy(input: unknown = {}): AlarmResult<ColourPolicy> {
  const parsed = parseConfig(ColourPolicySchema, input);
  if (parsed.ok) return ok(parsed.value);
  return fail(
    alarmErrors.create('HW_CORE_ALARM_POLICY_INVALID', {
      count: parsed.errors.length,
      first: parsed.errors[0] ?? '',
      errors: parsed.errors,
    }),
  );
}

function mustCompile(): ColourPolicy {
  const r = compileColourPolicy({});
  if (!r.ok) throw r.error;
  return r.value;
}

export const DEFAULT_COLOUR_POLICY: ColourPolicy = mustCompile();

const kindMatches = (kinds: readonly PointKind[] | undefined, kind: PointKind | null): boolean =>
  kinds === undefined || (kind !== null && kinds.includes(kind));

/** The first rule matching the context, or null (then `fallback` applies). */
export function matchColourRule(policy: ColourPolicy, ctx: AlarmColourContext): ColourRule | null {
  const level = ctx.hazardLevel ?? 'none';
  return (
    policy.rules.find(
      (r) =>
        r.conditions.includes(ctx.condition) &&
        kindMatches(r.pointKinds, ctx.pointKind) &&
        (r.hazardLevels === undefined || r.hazardLevels.includes(level)),
    ) ?? null
  );
}

/** 预警 colour of one alarm. */
export function alarmColour(policy: ColourPolicy, ctx: AlarmColourContext): WarningColour {
  return matchColourRule(policy, ctx)?.colour ?? policy.fallback;
}

/** GB/T 50493-2019 §5.1.2: the alarm must also reach the fire-control room (REFERENCE §8 item 10). */
export function isFireControlRoomRelevant(policy: ColourPolicy, ctx: AlarmColourContext): boolean {
  return policy.fireControlRoom.some(
    (r) => r.conditions.includes(ctx.condition) && kindMatches(r.pointKinds, ctx.pointKind),
  );
}

/** The higher of two colours; null = no alarm. */
export function maxColour(a: WarningColour | null, b: WarningColour | null): WarningColour | null {
  if (a === null) return b;
  if (b === null) return a;
  return colourRank(a) >= colourRank(b) ? a : b;
}

/** `steps` colours up, capped at red. */
export function raiseColour(colour: WarningColour, steps: number): WarningColour {
  const i = Math.min(WARNING_COLOURS.length - 1, WARNING_COLOURS.indexOf(colour) + steps);
  return WARNING_COLOURS[i] ?? 'red';
}
