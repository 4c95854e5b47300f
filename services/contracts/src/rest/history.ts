import { Type, type Static } from '@sinclair/typebox';
import { ItemsSchema, Ms, Nullable } from './shapes.js';

export const HISTORY_RESOLUTIONS = ['raw', '1m', '1h'] as const;
export type HistoryResolution = (typeof HISTORY_RESOLUTIONS)[number];

/** One bucket of a trend (raw: one reading, min = max = avg = last). */
export const HistoryBucketSchema = Type.Object({
  /** Bucket start (raw: the reading's source time). */
  ts: Ms(),
  min: Type.Number(),
  max: Type.Number(),
  avg: Type.Number(),
  last: Type.Number(),
  count: Type.Integer(),
});
export type HistoryBucket = Static<typeof HistoryBucketSchema>;

/**
 * What a gateway's spool dropped, as it reported it (`data_loss`): GET /data-loss, and with each
 * trend in `History.dataLoss`. Times are ms UTC.
 */
export const DataLossReportSchema = Type.Object({
  id: Type.Integer(),
  enterprise: Type.String(),
  gateway: Type.String(),
  /** The collector's reason (`max_bytes`, `max_age`, `corrupt`, `spool_rejected`, …). */
  reason: Type.String(),
  readings: Type.Integer(),
  entries: Type.Integer(),
  /** Source time of the oldest / newest dropped reading; null when the gateway did not say. */
  fromMs: Nullable(Type.Number()),
  toMs: Nullable(Type.Number()),
  /** Gateway clock of the report. */
  reportedMs: Type.Number(),
  /** When the report arrived. */
  receivedMs: Type.Number(),
});
export type DataLossReport = Static<typeof DataLossReportSchema>;
export const DataLossListSchema = ItemsSchema(DataLossReportSchema);
export type DataLossList = Static<typeof DataLossListSchema>;

/** GET /points/:id/history; one item of GET /history. */
export const HistorySchema = Type.Object({
  pointId: Type.Integer(),
  from: Ms('range start, inclusive'),
  to: Ms('range end, exclusive'),
  resolution: Type.Union(HISTORY_RESOLUTIONS.map((r) => Type.Literal(r))),
  buckets: Type.Array(HistoryBucketSchema),
  /** Holes the point's gateway reported in the range. */
  dataLoss: Type.Array(DataLossReportSchema),
});
export type History = Static<typeof HistorySchema>;
export const HistoryListSchema = ItemsSchema(HistorySchema);
export type HistoryList = Static<typeof HistoryListSchema>;
