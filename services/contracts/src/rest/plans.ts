import { Type, type Static } from '@sinclair/typebox';
import { ItemsSchema, Ms, Nullable } from './shapes.js';

export const PLAN_CONTENT_TYPES = ['image/png', 'image/svg+xml'] as const;
export type PlanContentType = (typeof PLAN_CONTENT_TYPES)[number];

/** A floor plan's metadata (GET …/plans, PUT and DELETE …/plans/:plan); the image is GET …/plans/:plan. */
export const PlanInfoSchema = Type.Object({
  enterprise: Type.String(),
  /** `main` or a major hazard's code. */
  plan: Type.String(),
  contentType: Type.Union(PLAN_CONTENT_TYPES.map((t) => Type.Literal(t))),
  /** Size of the image, bytes. */
  size: Type.Integer(),
  /** Intrinsic size in image units (PNG pixels, SVG user units); null when an SVG names none. */
  width: Nullable(Type.Number()),
  height: Nullable(Type.Number()),
  updatedAt: Ms(),
  updatedBy: Type.String(),
});
export type PlanInfo = Static<typeof PlanInfoSchema>;
export const PlanListSchema = ItemsSchema(PlanInfoSchema);
export type PlanList = Static<typeof PlanListSchema>;
