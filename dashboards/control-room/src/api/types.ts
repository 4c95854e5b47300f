/**
 * REST DTOs as the API answers them (services/api/src/routes/*.ts, queries/*.ts). The live
 * (socket.io) types come from @hazardwatch/contracts; these REST shapes are not exported there yet,
 * so they are written down here from the route schemas.
 */
import type { AlarmCondition, AlarmState, Quality, WarningColour } from '@hazardwatch/contracts';

export type { AlarmCondition, AlarmState, Quality, WarningColour };

export interface ApiError {
  readonly code: string;
  readonly message: string;
}

export type Role = 'admin' | 'regulator' | 'operator' | 'viewer';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly regionCode: string | null;
  readonly enterpriseCode: string | null;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresIn: number;
  readonly user: User;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface LonLat {
  readonly lon: number;
  readonly lat: number;
}

export type RegionKind = 'province' | 'city' | 'county' | 'town' | 'park';

export interface RegionNode {
  readonly code: string;
  readonly name: string;
  readonly kind: RegionKind;
  readonly parent: string | null;
  readonly children: RegionNode[];
}

export interface RegionDetail {
  readonly code: string;
  readonly name: string;
  readonly kind: RegionKind;
  readonly parent: string | null;
  readonly centroid: LonLat | null;
}

export interface Enterprise {
  readonly code: string;
  readonly name: string;
  readonly region: string;
  readonly location: LonLat;
  readonly hazards: number;
  readonly gateways: number;
  readonly points: number;
}

export interface FloorPlanPosition {
  readonly plan: string | null;
  readonly x: number;
  readonly y: number;
}

export interface Hazard {
  readonly code: string;
  readonly enterprise: string;
  readonly name: string;
  readonly type: 'tank_farm' | 'warehouse' | 'production_unit';
  readonly declaredLevel: 1 | 2 | 3 | 4;
  readonly computedLevel: 1 | 2 | 3 | 4 | null;
  readonly levelMismatch: boolean;
  readonly location: LonLat | null;
  readonly floorPlan: FloorPlanPosition | null;
  readonly points: number;
}

export type LimitName = 'll' | 'l' | 'h' | 'hh';

export interface Point {
  readonly id: number;
  readonly tag: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly gateway: string;
  readonly name: string;
  readonly kind: string;
  readonly unit: string;
  readonly range: { readonly min: number; readonly max: number };
  readonly limits: Readonly<Record<LimitName, number | null>>;
  readonly limitsDefaulted: readonly LimitName[];
  readonly staleAfterMs: number;
  readonly interlocks: Readonly<Record<LimitName, string | null>>;
  readonly enabled: boolean;
  readonly location: LonLat;
  readonly floorPlan: FloorPlanPosition | null;
}

export interface LatestValue {
  readonly pointId: number;
  readonly ts: number;
  readonly value: number;
  readonly quality: Quality;
  readonly stale: boolean;
}

/** A gateway's last known status as ingestion stored it (GET /enterprises/:e/gateways). */
export interface GatewayStatus {
  readonly online: boolean;
  /** ISO 8601. */
  readonly lastSeen: string;
  /** Readings waiting in the gateway's disk spool as last reported; null = never reported. */
  readonly spoolDepth: number | null;
}

export interface Gateway {
  readonly code: string;
  readonly enterprise: string;
  readonly name: string;
  readonly points: number;
  /** null = never heard from. */
  readonly status: GatewayStatus | null;
}

export interface Alarm {
  readonly id: string;
  readonly condition: AlarmCondition;
  readonly state: AlarmState;
  readonly colour: WarningColour | null;
  readonly active: boolean;
  readonly enterprise: string | null;
  readonly pointId: number | null;
  readonly tag: string | null;
  readonly hazard: string | null;
  readonly gateway: string | null;
  readonly raisedAt: number;
  readonly updatedAt: number;
  readonly closedAt: number | null;
  readonly value: number | null;
  readonly limit: number | null;
  readonly ackedAt: number | null;
  readonly ackedBy: string | null;
  readonly shelvedUntilMs: number | null;
  readonly shelveReason: string | null;
  readonly outOfServiceReason: string | null;
  /**
   * Raised from replayed readings (a gateway's spool after an uplink outage): it happened at its
   * source time while the link was down; shown and acknowledged, never sounded.
   */
  readonly late?: boolean;
}

export interface AlarmJournalEntry {
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly ts: number;
  readonly actor: string;
  readonly reason: string | null;
  readonly value: number | null;
  /** Decided from replayed readings: `ts` is the source time it happened. */
  readonly late?: boolean;
}

export type WarningState = 'pushed' | 'signed' | 'feedback' | 'closed';

export interface Warning {
  readonly id: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly colour: WarningColour;
  readonly state: WarningState;
  readonly level: string | null;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly closedAt: number | null;
}

export type ColourCounts = Readonly<Record<WarningColour, number>>;

export interface RegionOverview {
  readonly code: string;
  readonly name: string;
  readonly colour: WarningColour | null;
  readonly hazards: ColourCounts & { readonly total: number };
  readonly enterprises: ColourCounts & { readonly total: number };
  readonly children: ReadonlyArray<{
    readonly code: string;
    readonly name: string;
    readonly colour: WarningColour | null;
    readonly hazards: ColourCounts & { readonly total: number };
    readonly enterprises: ColourCounts & { readonly total: number };
  }>;
  readonly enterpriseColours: ReadonlyArray<{ code: string; name: string; colour: WarningColour | null }>;
  readonly stalePoints: {
    readonly count: number;
    readonly items: ReadonlyArray<{ pointId: number; enterprise: string; tag: string; since: number }>;
  };
  readonly gatewaysOffline: {
    readonly count: number;
    readonly items: ReadonlyArray<{ enterprise: string; gateway: string; since: number }>;
  };
  /** Readings waiting in the spools of the subtree's gateways (last reported depths). */
  readonly gatewaysBacklog: { readonly readings: number; readonly gateways: number };
}

export type HistoryResolution = 'raw' | '1m' | '1h';

export interface HistoryBucket {
  readonly ts: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly last: number;
  readonly count: number;
}

/**
 * What a gateway's spool dropped, as it reported it (`data_loss`; GET /data-loss, and with each
 * trend in `History.dataLoss`). Times are ms UTC.
 */
export interface DataLossReport {
  readonly id: number;
  readonly enterprise: string;
  readonly gateway: string;
  /** The collector's reason (`max_bytes`, `max_age`, `corrupt`, `spool_rejected`, …). */
  readonly reason: string;
  readonly readings: number;
  readonly entries: number;
  /** Source time of the oldest / newest dropped reading; null when the gateway did not say. */
  readonly fromMs: number | null;
  readonly toMs: number | null;
  /** Gateway clock of the report. */
  readonly reportedMs: number;
  /** When the report arrived. */
  readonly receivedMs: number;
}

export interface History {
  readonly pointId: number;
  readonly from: number;
  readonly to: number;
  readonly resolution: HistoryResolution;
  readonly buckets: HistoryBucket[];
  /** Holes the point's gateway reported in the range (absent from older APIs). */
  readonly dataLoss?: readonly DataLossReport[];
}

export interface KpiTargetCheck {
  readonly id: string;
  readonly value: number | null;
  readonly limit: number;
  readonly comparison: '<' | '<=';
  readonly pass: boolean | null;
}

export interface KpiReport {
  readonly range: { fromMs: number; toMs: number; hours: number; coversRecommendedPeriod: boolean };
  readonly total: number;
  readonly avgPerHour: number;
  readonly avgPer10Min: number;
  readonly intervals: {
    sizeMs: number;
    count: number;
    counts: number[];
    overThreshold: number;
    overThresholdSharePct: number;
    peak: number;
  };
  readonly floods: { floodTimeMs: number; floodTimeSharePct: number; episodes: unknown[] };
  readonly top: {
    entries: Array<{
      sourceKey: string;
      pointId: number | null;
      condition: string;
      count: number;
      sharePct: number;
    }>;
    sharePct: number;
  };
  readonly chattering: {
    count: number;
    alarms: Array<{ sourceKey: string; condition: string; activations: number }>;
  };
  readonly stale: { count: number };
  readonly priority: { counts: ColourCounts; sharePct: ColourCounts; unknown: number } | null;
  readonly targets: KpiTargetCheck[];
  readonly alerts: Array<{ code: string; value: number; limit: number }>;
  /** Alarms raised from replayed readings, counted apart from the rates (absent from older APIs). */
  readonly late?: { count: number };
  /** Holes gateways reported (data_loss) and the online rate they leave (absent from older APIs). */
  readonly dataQuality?: {
    readonly onlineRatePct: number | null;
    readonly lostReadings: number;
    readonly dataLoss: ReadonlyArray<{
      readonly id: number;
      readonly enterprise: string;
      readonly gateway: string;
      readonly readings: number;
      readonly fromMs: number | null;
      readonly toMs: number | null;
      readonly reportedMs: number;
    }>;
  };
}

export interface AuditEntry {
  readonly id: number | string;
  readonly ts: number;
  readonly actor: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly after?: unknown;
}

/** Floor-plan images (upload API in progress: PUT/GET /enterprises/:e/plans/:plan). */
export interface PlanInfo {
  readonly plan: string;
  readonly contentType: 'image/png' | 'image/svg+xml';
  readonly width?: number;
  readonly height?: number;
  readonly updatedAt: number;
}
