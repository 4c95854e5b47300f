import { Type, type Static } from '@sinclair/typebox';
import type { SiteIndex } from '@hazardwatch/core';
import type { Access } from '../access/access.js';
import { apiErrors } from '../errors.js';
import { closed, EpochMs, MAX_POINT_ID } from '../http/schemas.js';

/** Most points one `GET /history` (or its export) may ask for (a trend panel, not a bulk dump). */
export const MAX_HISTORY_POINTS = 50;

/** The range and bucket budget of a trend: the same for one point, several, and the export. */
export const historyRange = {
  from: EpochMs('range start, inclusive'),
  to: EpochMs('range end, exclusive'),
  /** Buckets per point. @default 1000 */
  maxPoints: Type.Integer({ minimum: 1, maximum: 20_000, default: 1000 }),
};
export const HistoryQuery = Type.Object(historyRange, closed);
export type HistoryQuery = Static<typeof HistoryQuery>;

/** `points` of `GET /history` and `GET /history/export`: comma-separated point ids. */
export const PointList = Type.String({
  pattern: '^[0-9]{1,10}(,[0-9]{1,10})*$',
  maxLength: 11 * MAX_HISTORY_POINTS,
  description: `comma-separated point ids, at most ${MAX_HISTORY_POINTS}`,
});

/**
 * The distinct point ids of a `points` list, in request order, each inside the caller's scope:
 * 400 past the largest id or over MAX_HISTORY_POINTS, 404 for an unknown point, 403 naming the
 * first point outside the scope — the whole request is refused, never silently narrowed.
 */
export function scopedPointIds(points: string, access: Access, index: SiteIndex): number[] {
  const ids = [...new Set(points.split(',').map(Number))];
  const outside = ids.find((id) => id > MAX_POINT_ID);
  if (outside !== undefined) {
    throw apiErrors.create('HW_API_VALIDATION', {
      detail: `querystring/points names point ${outside}, above the largest point id ${MAX_POINT_ID}`,
    });
  }
  if (ids.length > MAX_HISTORY_POINTS) {
    throw apiErrors.create('HW_API_VALIDATION', {
      detail: `querystring/points names ${ids.length} points, at most ${MAX_HISTORY_POINTS} allowed`,
    });
  }
  for (const id of ids) {
    const point = index.pointById(id);
    if (point === undefined) throw apiErrors.create('HW_API_NOT_FOUND', { kind: 'point', id });
    if (!access.seesEnterprise(point.enterprise)) {
      throw apiErrors.create('HW_API_FORBIDDEN', {
        reason: `point ${id} is outside your scope`,
        kind: 'point',
        id,
      });
    }
  }
  return ids;
}
