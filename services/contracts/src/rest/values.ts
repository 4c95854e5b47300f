import { Type, type Static } from '@sinclair/typebox';
import { ItemsSchema, Ms } from './shapes.js';

/**
 * GET /points/:id/latest, /enterprises/:e/latest, /enterprises/:e/hazards/:h/latest: the newest
 * stored reading of each point (cold start of a live view).
 */
export const LatestValueSchema = Type.Object({
  pointId: Type.Integer(),
  tag: Type.String(),
  unit: Type.String(),
  /** Source timestamp. */
  ts: Ms(),
  value: Type.Number(),
  /** Quality code as stored: 0 good, 1 uncertain, 2 bad (QUALITY_CODES). */
  quality: Type.Integer({ minimum: 0, maximum: 2 }),
  /** No reading within the point's staleness timeout. */
  stale: Type.Boolean(),
  /** false = the point is out of service (停用): its value is shown as such, not as live. */
  inService: Type.Boolean(),
});
export type LatestValue = Static<typeof LatestValueSchema>;
export const LatestValuesSchema = ItemsSchema(LatestValueSchema);
export type LatestValues = Static<typeof LatestValuesSchema>;
