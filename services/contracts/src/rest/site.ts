/**
 * The site model as the REST API serves it (GET /regions, /enterprises, /hazards, /points, …):
 * the normal form of site-model.ts (defaults applied, absent optionals null, durations in ms)
 * plus the counts and status the API adds.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FloorPlanPositionSchema, LonLatSchema } from './shapes.js';
import { Nullable, OneOf, PageSchema, ItemsSchema, AnyJson } from './shapes.js';
import {
  HazardLevelSchema,
  NormalisedEnterpriseSchema,
  NormalisedGatewaySchema,
  NormalisedHazardSchema,
  NormalisedPointSchema,
  NormalisedRegionSchema,
  REGION_KINDS,
} from './site-model.js';

export type LonLat = Static<typeof LonLatSchema>;
export type FloorPlanPosition = Static<typeof FloorPlanPositionSchema>;

/** GET /regions: the visible regions as a forest (a visible region whose parent is hidden is a root). */
export const RegionNodeSchema = Type.Recursive(
  (This) =>
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      kind: OneOf(REGION_KINDS),
      parent: Nullable(Type.String()),
      children: Type.Array(This),
    }),
  { $id: 'RegionNode' },
);
export type RegionNode = Static<typeof RegionNodeSchema>;
export const RegionForestSchema = ItemsSchema(RegionNodeSchema);

/** A region without its subtree. */
export const RegionSchema = NormalisedRegionSchema;
export type Region = Static<typeof RegionSchema>;

/** GET /regions/:code */
export const RegionDetailSchema = Type.Object({
  ...RegionSchema.properties,
  /** Codes from the root down to this region. */
  chain: Type.Array(Type.String()),
  children: Type.Array(RegionSchema),
  /** Enterprises directly in this region. */
  enterprises: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
});
export type RegionDetail = Static<typeof RegionDetailSchema>;

/** GET /enterprises, /enterprises/:enterprise */
export const EnterpriseSchema = Type.Object({
  ...NormalisedEnterpriseSchema.properties,
  hazards: Type.Integer(),
  gateways: Type.Integer(),
  points: Type.Integer(),
});
export type Enterprise = Static<typeof EnterpriseSchema>;
export const EnterprisePageSchema = PageSchema(EnterpriseSchema);

/** GET /hazards, /enterprises/:e/hazards/:h: both levels, declared and computed. */
export const HazardSchema = Type.Object({
  ...NormalisedHazardSchema.properties,
  computedLevel: Nullable(HazardLevelSchema),
  levelMismatch: Type.Boolean(),
  points: Type.Integer(),
});
export type Hazard = Static<typeof HazardSchema>;
export const HazardPageSchema = PageSchema(HazardSchema);

/** A gateway's last known status as the ingest stored it; null spoolDepth = never reported. */
export const GatewayLastStatusSchema = Type.Object({
  online: Type.Boolean(),
  /** ISO 8601. */
  lastSeen: Type.String(),
  spoolDepth: Nullable(Type.Integer()),
  /** ISO 8601: since when the gateway is in this state (online or offline); null = not known. */
  since: Nullable(Type.String()),
});
export type GatewayLastStatus = Static<typeof GatewayLastStatusSchema>;

/** GET /enterprises/:enterprise/gateways */
export const GatewaySchema = Type.Object({
  ...NormalisedGatewaySchema.properties,
  points: Type.Integer(),
  /** null = never heard from. */
  status: Nullable(GatewayLastStatusSchema),
});
export type Gateway = Static<typeof GatewaySchema>;
export const GatewayListSchema = ItemsSchema(GatewaySchema);

/** GET /points, /points/:id: a monitoring point with its compiled alarm settings. */
export const PointSchema = Type.Object({
  id: Type.Integer(),
  ...NormalisedPointSchema.properties,
  /**
   * false = out of service (停用, `enabled: false`): shown as such on the map, plan and
   * data-quality view, and not online for the online-rate KPI (issue #19).
   */
  inService: Type.Boolean(),
  /** The change record that took the point out of service, when there is one (GET /changes/:id). */
  outOfServiceChange: Nullable(Type.String()),
});
export type Point = Static<typeof PointSchema>;
export const PointPageSchema = PageSchema(PointSchema);

/** GET /site: the stored site document, as written (defaults not applied). */
export const SiteExportSchema = Type.Object({
  version: Type.Integer(),
  /** The document's SHA-256 as stored; null when the store has none. */
  sha256: Nullable(Type.String()),
  loadedAt: Type.Number(),
  document: AnyJson('the site document as imported'),
});
export type SiteExport = Static<typeof SiteExportSchema>;

/** A rule the site passes but should not (a defect, not an error). */
export const SiteDefectSchema = Type.Object({
  rule: Type.String(),
  path: Type.String(),
  message: Type.String(),
});

/** PUT /site */
export const SiteImportResultSchema = Type.Object({
  version: Type.Integer(),
  points: Type.Integer(),
  defects: Type.Array(SiteDefectSchema),
});
export type SiteImportResult = Static<typeof SiteImportResultSchema>;

/** POST/PATCH/DELETE of one site entity: the new site version and the entity as written (null once deleted). */
export const SiteEditResultSchema = Type.Object({
  siteVersion: Type.Integer(),
  value: AnyJson('the entity as written in the site document; null after a delete'),
});
export type SiteEditResult = Static<typeof SiteEditResultSchema>;

// ── POST /site/check (issue #22, the admin screens): one site-model edit validated like the write
// it describes — the rules of a site file import and `hazardwatch site check` — without storing
// anything, so an edit form can show every finding beside the field it is about. ──────────────

export const SITE_ENTITIES = ['region', 'enterprise', 'hazard', 'gateway', 'point'] as const;
export type SiteEntityName = (typeof SITE_ENTITIES)[number];

/** The edit to check: a create (the whole entity) or an update (a JSON merge patch of one entity). */
export const SiteCheckBodySchema = Type.Union([
  Type.Object(
    {
      op: Type.Literal('create'),
      entity: OneOf(SITE_ENTITIES),
      value: Type.Object(
        {},
        { additionalProperties: true, description: 'the entity as it would be written' },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('update'),
      entity: OneOf(SITE_ENTITIES),
      /** Its identifying fields: `{code}` (region, enterprise), `{enterprise, code}`, `{enterprise, tag}`. */
      key: Type.Record(Type.String({ maxLength: 32 }), Type.String({ minLength: 1, maxLength: 128 }), {
        maxProperties: 2,
      }),
      patch: Type.Object({}, { additionalProperties: true, description: 'JSON merge patch' }),
    },
    { additionalProperties: false },
  ),
]);
export type SiteCheckBody = Static<typeof SiteCheckBodySchema>;

/** One finding, as `site check` reports it, placed on the edited entity's field when it is about one. */
export const SiteCheckIssueSchema = Type.Object({
  /** The stable rule code (core SITE_RULES), e.g. LIMIT_ORDER: translate this, never the message. */
  rule: Type.String(),
  /** JSON pointer into the edited site document. */
  path: Type.String(),
  /**
   * The field of the edited entity the finding is about, dotted (`limits.h`, `range.min`); `''`
   * for the entity as a whole; null when the finding is about another entity of the site.
   */
  field: Nullable(Type.String()),
  message: Type.String(),
});
export type SiteCheckIssue = Static<typeof SiteCheckIssueSchema>;

export const SiteCheckResultSchema = Type.Object({
  /** True when the write would be accepted by the site rules (authority and reason aside). */
  ok: Type.Boolean(),
  errors: Type.Array(SiteCheckIssueSchema),
  /** Data-quality findings reported alongside an accepted site (a point without limits, …). */
  defects: Type.Array(SiteCheckIssueSchema),
  /** What the write would weaken (monitoring.* kinds): such a write needs a reason. */
  weakens: Type.Array(Type.String()),
  value: AnyJson('the entity as it would be written'),
});
export type SiteCheckResult = Static<typeof SiteCheckResultSchema>;
