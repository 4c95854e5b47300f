import { Type, type TSchema } from '@sinclair/typebox';
import { ALARM_STATES, WARNING_COLOURS } from '@hazardwatch/contracts';

/** Every request schema is closed: unknown properties are a 400, never silently dropped. */
export const closed = { additionalProperties: false } as const;

export const NoQuery = Type.Object({}, closed);

export const Pagination = {
  /** @default 100 */
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  /** @default 0 */
  offset: Type.Integer({ minimum: 0, default: 0 }),
};

export const EpochMs = (description: string) =>
  Type.Integer({ minimum: 0, description: `${description} (ms since epoch, UTC)` });

export const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

export const EnterpriseParams = Type.Object({ enterprise: Code }, closed);
export const HazardParams = Type.Object({ enterprise: Code, hazard: Code }, closed);
export const RegionParams = Type.Object({ code: Code }, closed);
export const PointParams = Type.Object({ id: Type.Integer({ minimum: 0 }) }, closed);
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }, closed);

export const ColourFilter = Type.Union(WARNING_COLOURS.map((c) => Type.Literal(c)));
export const AlarmStateFilter = Type.Union(ALARM_STATES.map((s) => Type.Literal(s)));

export const ErrorBodySchema = Type.Object({ code: Type.String(), message: Type.String() });

/** `{ items, total, limit, offset }` */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

export function page<T>(
  all: readonly T[],
  limit: number,
  offset: number,
): { items: T[]; total: number; limit: number; offset: number } {
  return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
}
