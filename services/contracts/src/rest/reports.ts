/**
 * Duty reports, 日报 / 周报 / 月报 (issue #21; docs/reports.md): what a 24-hour duty centre hands
 * its chief each morning, for a region subtree or one enterprise and a period in China time.
 * `GET /api/v1/reports` answers this JSON; `format=xlsx` the same figures as a workbook.
 */
import { Type, type Static } from '@sinclair/typebox';
import { WARNING_STATES, WARNING_STEPS } from './warnings.js';
import { AlarmConditionSchema, Ms, Nullable, OneOf, WarningColourSchema } from './shapes.js';

/** Calendar day, ISO week (Monday–Sunday), calendar month — in China time (UTC+8). */
export const REPORT_PERIOD_KINDS = ['day', 'week', 'month'] as const;
export type ReportPeriodKindName = (typeof REPORT_PERIOD_KINDS)[number];

/** What a report covers: a region subtree or one enterprise. */
export const REPORT_SCOPE_KINDS = ['region', 'enterprise'] as const;
export type ReportScopeKind = (typeof REPORT_SCOPE_KINDS)[number];

/** Download formats besides JSON. */
export const REPORT_FORMATS = ['json', 'xlsx'] as const;

const Pct = (description: string) => Nullable(Type.Number({ description }));

const ColourCounts = Type.Object({
  red: Type.Integer(),
  orange: Type.Integer(),
  yellow: Type.Integer(),
  blue: Type.Integer(),
});

export const ReportSchema = Type.Object({
  scope: Type.Object({ kind: OneOf(REPORT_SCOPE_KINDS), code: Type.String(), name: Type.String() }),
  period: Type.Object({
    kind: OneOf(REPORT_PERIOD_KINDS),
    /** `2026-12-06`, `2026-W49`, `2026-12`. */
    label: Type.String(),
    firstDay: Type.String(),
    lastDay: Type.String(),
    fromMs: Ms(),
    toMs: Ms(),
    /** How far the figures go: `toMs`, or the report time for a period not yet ended. */
    endMs: Ms(),
    /** The period has not ended: figures so far. */
    partial: Type.Boolean(),
    timeZone: Type.Literal('Asia/Shanghai'),
  }),
  generatedAt: Ms(),
  /** The enterprises of the scope, in site order. */
  enterprises: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
  alarms: Type.Object({
    total: Type.Integer(),
    byColour: Type.Object({ ...ColourCounts.properties, none: Type.Integer() }),
    process: Type.Integer(),
    quality: Type.Integer(),
    /** Every enterprise, most alarms first (top offenders). */
    byEnterprise: Type.Array(
      Type.Object({
        enterprise: Type.String(),
        total: Type.Integer(),
        byColour: Type.Object({ ...ColourCounts.properties, none: Type.Integer() }),
      }),
    ),
    topSources: Type.Array(
      Type.Object({
        enterprise: Type.String(),
        pointId: Nullable(Type.Integer()),
        /** 位号 of the point; null for a gateway alarm or a point no longer in the site model. */
        tag: Nullable(Type.String()),
        name: Nullable(Type.String()),
        hazard: Nullable(Type.String()),
        gateway: Nullable(Type.String()),
        condition: AlarmConditionSchema,
        colour: Nullable(WarningColourSchema),
        count: Type.Integer(),
      }),
    ),
  }),
  warnings: Type.Object({
    standing: Type.Integer(),
    opened: Type.Integer(),
    openedByColour: ColourCounts,
    carriedOver: Type.Integer(),
    closedInPeriod: Type.Integer(),
    openAtEnd: Type.Integer(),
    signed: Type.Integer(),
    signedOnTime: Type.Integer(),
    fedBack: Type.Integer(),
    fedBackOnTime: Type.Integer(),
    verified: Type.Integer(),
    closed: Type.Integer(),
    handledOnTime: Type.Integer(),
    overdue: Type.Integer(),
    overdueItems: Type.Array(
      Type.Object({
        id: Type.String(),
        enterprise: Type.String(),
        hazard: Nullable(Type.String()),
        colour: WarningColourSchema,
        state: OneOf(WARNING_STATES),
        openedAt: Ms(),
        steps: Type.Array(OneOf(WARNING_STEPS)),
      }),
    ),
  }),
  online: Type.Object({
    onlineRatePct: Pct('over the gateway-time of the scope, percent'),
    enterprises: Type.Array(
      Type.Object({
        enterprise: Type.String(),
        gateways: Type.Integer(),
        unavailableMs: Type.Number(),
        onlineRatePct: Pct('percent; null without gateways'),
        gatewayRows: Type.Array(
          Type.Object({
            gateway: Type.String(),
            neverHeard: Type.Boolean(),
            unavailableMs: Type.Number(),
            onlineRatePct: Pct('percent'),
          }),
        ),
      }),
    ),
  }),
  outOfService: Type.Object({
    count: Type.Integer(),
    items: Type.Array(
      Type.Object({
        pointId: Type.Integer(),
        enterprise: Type.String(),
        hazard: Nullable(Type.String()),
        tag: Type.String(),
        name: Type.String(),
        sinceMs: Nullable(Ms()),
        changeId: Nullable(Type.String()),
        /** Time out of service within the period, ms. */
        outMs: Type.Number(),
      }),
    ),
  }),
});
export type Report = Static<typeof ReportSchema>;
