import { Type } from '@sinclair/typebox';
import { ALARM_STATES, MAX_EPOCH_MS, WARNING_COLOURS } from '@hazardwatch/contracts';
import { apiErrors } from '../errors.js';

/** Every request schema is closed: unknown properties are a 400, never silently dropped. */
export const closed = { additionalProperties: false } as const;

export const NoQuery = Type.Object({}, closed);

/** Point ids are PostgreSQL `integer` (int4). */
export const MAX_POINT_ID = 2_147_483_647;
/** Largest list offset; PostgreSQL refuses an OFFSET past bigint, and no list comes near this. */
export const MAX_OFFSET = 2_147_483_647;

export const Pagination = {
  /** @default 100 */
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  /** @default 0 */
  offset: Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 }),
};

/** A time in a request, at most MAX_EPOCH_MS (beyond it PostgreSQL's `to_timestamp` fails: a 500). */
export const EpochMs = (description: string) =>
  Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: `${description} (ms since epoch, UTC)` });

export const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

export const EnterpriseParams = Type.Object({ enterprise: Code }, closed);
export const HazardParams = Type.Object({ enterprise: Code, hazard: Code }, closed);
export const RegionParams = Type.Object({ code: Code }, closed);
export const PointParams = Type.Object({ id: Type.Integer({ minimum: 0, maximum: MAX_POINT_ID }) }, closed);
/** Alarm and 预警 ids (text keys). */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }, closed);
/** User ids are UUIDs (PostgreSQL `uuid`: anything else made the query fail with a 500). */
export const UserIdParams = Type.Object(
  {
    id: Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'user id (UUID)',
    }),
  },
  closed,
);

/** Refuses a range that does not run forwards (both ends given). */
export function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && to <= from)
    throw apiErrors.create('HW_API_RANGE_INVALID', { fromMs: from, toMs: to });
}

/**
 * The filters every alarm/预警 list takes: a hazard code is an enterprise's own, so it needs the
 * enterprise; the time range runs forwards.
 */
export function checkListFilters(q: {
  readonly enterprise?: string | undefined;
  readonly hazard?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}): void {
  if (q.hazard !== undefined && q.enterprise === undefined)
    throw apiErrors.create('HW_API_FILTER_INVALID', { filter: 'hazard', needs: 'enterprise' });
  checkRange(q.from, q.to);
}

export const ColourFilter = Type.Union(WARNING_COLOURS.map((c) => Type.Literal(c)));
export const AlarmStateFilter = Type.Union(ALARM_STATES.map((s) => Type.Literal(s)));

export function page<T>(
  all: readonly T[],
  limit: number,
  offset: number,
): { items: T[]; total: number; limit: number; offset: number } {
  return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
}
