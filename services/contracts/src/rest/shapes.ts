/**
 * Building blocks of the REST response schemas (TypeBox: one declaration gives the JSON schema
 * fastify serializes with and the TypeScript type the dashboard reads). Browser-safe.
 *
 * Times and measured values are `Type.Number`, never `Type.Integer`: fastify's serializer
 * (fast-json-stringify) rounds a number declared integer, and PostgreSQL times in ms carry
 * microseconds as a fraction.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ALARM_CONDITIONS, ALARM_STATES, WARNING_COLOURS } from '../alarms.js';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A union of string literals from one of our `as const` lists. */
export const OneOf = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

/** Request bodies are closed: an unknown property is a 400, never silently dropped. */
export const closed = { additionalProperties: false } as const;

/**
 * Largest time a request may carry, ms since epoch: ECMAScript's time range (ECMA-262
 * §21.4.1.1, ±8.64e15 ms, year 275760), inside PostgreSQL's timestamptz range.
 */
export const MAX_EPOCH_MS = 8.64e15;

/** ms since epoch, UTC. */
export const Ms = (description = 'ms since epoch, UTC') => Type.Number({ description });

export const WarningColourSchema = OneOf(WARNING_COLOURS);
export const AlarmStateSchema = OneOf(ALARM_STATES);
export const AlarmConditionSchema = OneOf(ALARM_CONDITIONS);

/** `{ items, total, limit, offset }`: one page of a list. */
export const PageSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });

/** One page of a list, as typed. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** `{ items }`: a whole (bounded) list. */
export const ItemsSchema = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });
export interface ItemList<T> {
  items: T[];
}

/** WGS-84 coordinates in decimal degrees; the site file writes them the same way. */
export const LonLatSchema = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS-84 longitude (°)' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS-84 latitude (°)' }),
  },
  closed,
);

/** Position on a floor-plan image in its pixels; `plan` null = the hazard's/enterprise's default plan. */
export const FloorPlanPositionSchema = Type.Object(
  { plan: Nullable(Type.String()), x: Type.Number({ minimum: 0 }), y: Type.Number({ minimum: 0 }) },
  closed,
);

/** Counts per 预警 colour. */
export const ColourCountsSchema = Type.Object({
  blue: Type.Integer(),
  yellow: Type.Integer(),
  orange: Type.Integer(),
  red: Type.Integer(),
});

/** Arbitrary JSON, passed through as stored (documents, audit before/after, engine records). */
export const AnyJson = (description: string) => Type.Unknown({ description });
