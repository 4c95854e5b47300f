import { Type, type Static } from '@sinclair/typebox';
import { AnyJson, closed, Ms, Nullable, OneOf, PageSchema, WarningColourSchema } from './shapes.js';

/** 预警 handling loop: pushed → signed (签收) → feedback (处置反馈) → closed (消警). */
export const WARNING_STATES = ['pushed', 'signed', 'feedback', 'closed'] as const;
export type WarningState = (typeof WARNING_STATES)[number];

/** GET /warnings: one 预警 record. */
export const WarningRowSchema = Type.Object({
  id: Type.String(),
  enterprise: Type.String(),
  hazard: Nullable(Type.String()),
  colour: WarningColourSchema,
  state: OneOf(WARNING_STATES),
  /** Administrative level answerable now (enterprise, county, city, province); null once closed. */
  level: Nullable(Type.String()),
  openedAt: Ms(),
  updatedAt: Ms(),
  closedAt: Nullable(Ms()),
});
export type WarningRow = Static<typeof WarningRowSchema>;
export const WarningPageSchema = PageSchema(WarningRowSchema);
export type WarningPage = Static<typeof WarningPageSchema>;

/** One append-only event of a 预警 (push, escalation, sign, feedback, close). */
export const WarningEventSchema = Type.Object({
  type: Type.String(),
  from: Nullable(Type.String()),
  to: Type.String(),
  ts: Ms(),
  actor: Type.String(),
  level: Type.String(),
});
export type WarningEvent = Static<typeof WarningEventSchema>;

/** GET /warnings/:id */
export const WarningDetailSchema = Type.Object({
  ...WarningRowSchema.properties,
  events: Type.Array(WarningEventSchema),
});
export type WarningDetail = Static<typeof WarningDetailSchema>;

/** POST /warnings/:id/{sign,feedback,close}: the engine's new 预警 record. */
export const WarningActionResultSchema = Type.Object({
  id: Type.String(),
  warning: AnyJson("the 预警 engine's record after the action"),
});
export type WarningActionResult = Static<typeof WarningActionResultSchema>;

const Text = Type.String({ minLength: 1, maxLength: 4000 });

/** Bodies of POST /warnings/:id/<verb>: 签收, 处置反馈 (text required), 消警 (a reason forces it). */
export const WarningActionBodySchemas = {
  sign: Type.Object({}, closed),
  feedback: Type.Object({ text: Text }, closed),
  close: Type.Object({ reason: Type.Optional(Text) }, closed),
};
export type WarningActionBodies = {
  [V in keyof typeof WarningActionBodySchemas]: Static<(typeof WarningActionBodySchemas)[V]>;
};
