/**
 * The normalised site: the compiled form every service runs on (STYLE rule 6). Defaults are
 * applied, absent optionals are `null` (never `undefined`), durations are milliseconds (`…Ms`),
 * deadbands are resolved per limit in engineering units, and the whole tree is frozen.
 *
 * The schemas are the wire shape GET /regions, /hazards, /points … serve, so they are declared
 * once in @hazardwatch/contracts (browser-safe); the store and the API check a stored/served copy
 * against them. Here they gain the deep `readonly` of the frozen tree.
 */
import type { Static } from '@sinclair/typebox';
import type {
  NormalisedEnterpriseSchema,
  NormalisedGatewaySchema,
  NormalisedHazardSchema,
  NormalisedPointSchema,
  NormalisedRegionSchema,
  NormalisedSiteSchema,
} from '@hazardwatch/contracts';

export {
  HazardAssessmentSchema,
  NormalisedEnterpriseSchema,
  NormalisedGatewaySchema,
  NormalisedHazardSchema,
  NormalisedPointSchema,
  NormalisedRegionSchema,
  NormalisedSiteSchema,
} from '@hazardwatch/contracts';

/** Deep `readonly`, for the frozen normalised tree. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type NormalisedSite = DeepReadonly<Static<typeof NormalisedSiteSchema>>;
export type NormalisedRegion = DeepReadonly<Static<typeof NormalisedRegionSchema>>;
export type NormalisedEnterprise = DeepReadonly<Static<typeof NormalisedEnterpriseSchema>>;
export type NormalisedHazard = DeepReadonly<Static<typeof NormalisedHazardSchema>>;
export type NormalisedGateway = DeepReadonly<Static<typeof NormalisedGatewaySchema>>;
export type NormalisedPoint = DeepReadonly<Static<typeof NormalisedPointSchema>>;
