import { Type, type Static } from '@sinclair/typebox';
import { AnyJson, Ms, Nullable, PageSchema } from './shapes.js';

/** GET /audit: one entry of the audit log, newest first. */
export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  ts: Ms(),
  /** Username (or `system`). */
  actor: Type.String(),
  /** Dotted verb, e.g. `auth.login`, `alarm.ack`, `warning.sign`, `site.import`. */
  action: Type.String(),
  targetType: Type.String(),
  targetId: Nullable(Type.String()),
  before: AnyJson('the target before the change, as recorded'),
  after: AnyJson('the target after the change, as recorded'),
  /** Client address as the API saw it (after trusted proxies). */
  ip: Nullable(Type.String()),
  scopeRegion: Nullable(Type.String()),
  scopeEnterprise: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntrySchema>;
export const AuditPageSchema = PageSchema(AuditEntrySchema);
export type AuditPage = Static<typeof AuditPageSchema>;
