/**
 * The admin area's sections (issue #22) and who sees each: the caller's verdicts from GET /auth/me
 * (the API's authority table, docs/authority.md). The server refuses anyway; this only keeps a
 * section from being offered to someone whose every request in it would be refused. An operator
 * sees none, so no admin tab at all.
 */
import type { Me } from '@hazardwatch/contracts';
import { allowed, verdict } from '../../logic/permissions.js';

export const ADMIN_SECTIONS = ['users', 'site', 'credentials', 'audit', 'outOfService'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

const SHOWN: Readonly<Record<AdminSection, (me: Pick<Me, 'permissions'> | null | undefined) => boolean>> = {
  users: (me) => allowed(me, 'user.read'),
  // Editing the site is checked by the server's site rules first (POST /site/check).
  site: (me) => allowed(me, 'site.check'),
  credentials: (me) => allowed(me, 'device.write'),
  audit: (me) => allowed(me, 'audit.read'),
  outOfService: (me) =>
    allowed(me, 'site.point.write') && verdict(me, 'monitoring.point.disable') !== 'refuse',
};

/** The sections `me` may use, in display order; empty = no admin tab. */
export function adminSections(me: Pick<Me, 'permissions'> | null | undefined): AdminSection[] {
  return ADMIN_SECTIONS.filter((s) => SHOWN[s](me));
}

export function isAdminSection(value: string | null): value is AdminSection {
  return value !== null && (ADMIN_SECTIONS as readonly string[]).includes(value);
}
