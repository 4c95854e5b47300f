/**
 * A region's control-room overview (four-colour roll-up) and the ISA-18.2 / EEMUA 191 alarm KPIs
 * with data quality.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DataLossReportSchema } from './history.js';
import {
  AlarmConditionSchema,
  AlarmStateSchema,
  ColourCountsSchema,
  Ms,
  Nullable,
  WarningColourSchema,
} from './shapes.js';

export type ColourCounts = Static<typeof ColourCountsSchema>;

const ColourTotals = Type.Object({ ...ColourCountsSchema.properties, total: Type.Integer() });

/** GET /regions/:code/overview */
export const RegionOverviewSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  /** Worst colour of the subtree; null = nothing standing. */
  colour: Nullable(WarningColourSchema),
  hazards: ColourTotals,
  enterprises: ColourTotals,
  children: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      kind: Type.String(),
      colour: Nullable(WarningColourSchema),
      hazards: ColourTotals,
      enterprises: ColourTotals,
    }),
  ),
  /** Enterprises directly in the region, with their worst colour. */
  enterpriseColours: Type.Array(
    Type.Object({ code: Type.String(), name: Type.String(), colour: Nullable(WarningColourSchema) }),
  ),
  /** Points whose STALE alarm stands (REFERENCE §8 item 18); items capped, count is all. */
  stalePoints: Type.Object({
    count: Type.Integer(),
    items: Type.Array(
      Type.Object({ pointId: Type.Integer(), enterprise: Type.String(), tag: Type.String(), since: Ms() }),
    ),
  }),
  /**
   * Points out of service (停用, issue #19), with the change record that took each out when there
   * is one; items capped, count is all.
   */
  outOfServicePoints: Type.Object({
    count: Type.Integer(),
    items: Type.Array(
      Type.Object({
        pointId: Type.Integer(),
        enterprise: Type.String(),
        tag: Type.String(),
        changeId: Nullable(Type.String()),
      }),
    ),
  }),
  gatewaysOffline: Type.Object({
    count: Type.Integer(),
    items: Type.Array(Type.Object({ enterprise: Type.String(), gateway: Type.String(), since: Ms() })),
  }),
  /** Readings waiting in the spools of the subtree's gateways (last reported depths). */
  gatewaysBacklog: Type.Object({ readings: Type.Integer(), gateways: Type.Integer() }),
});
export type RegionOverview = Static<typeof RegionOverviewSchema>;

const SourceCondition = {
  /** `point:<id>` or `gateway:<enterprise>/<gateway>`. */
  sourceKey: Type.String(),
  pointId: Nullable(Type.Integer()),
  condition: AlarmConditionSchema,
};

export const KpiTargetCheckSchema = Type.Object({
  id: Type.String(),
  /** null when not measurable. */
  value: Nullable(Type.Number()),
  limit: Type.Number(),
  comparison: Type.Union([Type.Literal('<'), Type.Literal('<=')]),
  pass: Nullable(Type.Boolean()),
});
export type KpiTargetCheck = Static<typeof KpiTargetCheckSchema>;

/** GET /regions/:code/kpis, /enterprises/:enterprise/kpis (REFERENCE §7, §8 item 19). */
export const KpiReportSchema = Type.Object({
  range: Type.Object({
    fromMs: Ms(),
    toMs: Ms(),
    hours: Type.Number(),
    coversRecommendedPeriod: Type.Boolean(),
  }),
  total: Type.Integer(),
  avgPerHour: Type.Number(),
  avgPer10Min: Type.Number(),
  intervals: Type.Object({
    sizeMs: Type.Number(),
    count: Type.Integer(),
    counts: Type.Array(Type.Integer()),
    overThreshold: Type.Integer(),
    overThresholdSharePct: Type.Number(),
    peak: Type.Integer(),
  }),
  floods: Type.Object({
    episodes: Type.Array(
      Type.Object({ startMs: Ms(), endMs: Ms(), peakCount: Type.Integer(), clipped: Type.Boolean() }),
    ),
    floodTimeMs: Type.Number(),
    floodTimeSharePct: Type.Number(),
  }),
  top: Type.Object({
    entries: Type.Array(Type.Object({ ...SourceCondition, count: Type.Integer(), sharePct: Type.Number() })),
    sharePct: Type.Number(),
  }),
  chattering: Type.Object({
    count: Type.Integer(),
    alarms: Type.Array(
      Type.Object({
        ...SourceCondition,
        activations: Type.Integer(),
        maxInWindow: Type.Integer(),
        firstMs: Ms(),
      }),
    ),
  }),
  stale: Type.Object({
    count: Type.Integer(),
    alarms: Type.Array(
      Type.Object({
        alarmId: Type.String(),
        ...SourceCondition,
        state: AlarmStateSchema,
        activeSinceMs: Ms(),
        ageMs: Type.Number(),
      }),
    ),
  }),
  /** Alarms raised from replayed readings, counted apart from the rates. */
  late: Type.Object({ count: Type.Integer() }),
  /** Priority (colour) mix; null without a colour lookup. */
  priority: Nullable(
    Type.Object({
      counts: ColourCountsSchema,
      unknown: Type.Integer(),
      sharePct: Type.Object({
        blue: Type.Number(),
        yellow: Type.Number(),
        orange: Type.Number(),
        red: Type.Number(),
      }),
    }),
  ),
  targets: Type.Array(KpiTargetCheckSchema),
  alerts: Type.Array(Type.Object({ code: Type.String(), value: Type.Number(), limit: Type.Number() })),
  /** Holes gateways reported (data_loss) and the online rate they leave. */
  dataQuality: Type.Object({
    gateways: Type.Array(
      Type.Object({
        enterprise: Type.String(),
        gateway: Type.String(),
        points: Type.Integer(),
        reports: Type.Integer(),
        lostReadings: Type.Integer(),
        lostMs: Type.Number(),
        /** Points of the gateway out of service (停用): not online while out of service. */
        outOfService: Type.Integer(),
        onlineRatePct: Nullable(Type.Number()),
      }),
    ),
    lostReadings: Type.Integer(),
    /** Points out of service in the scope (issue #19). */
    outOfServicePoints: Type.Integer(),
    /** Point-weighted over the gateways; null without points or for an empty range. */
    onlineRatePct: Nullable(Type.Number()),
    /** The newest reports (at most 200; the figures count all). */
    dataLoss: Type.Array(DataLossReportSchema),
  }),
});
export type KpiReport = Static<typeof KpiReportSchema>;
