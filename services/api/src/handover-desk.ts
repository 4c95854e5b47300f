import {
  HANDOVER_SNAPSHOT_LIMIT,
  type Handover,
  type HandoverDesk,
  type HandoverSnapshot,
} from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import { queryAlarms, queryWarnings, type SqlClient } from '@hazardwatch/store';
import type { Access, Principal } from './access/access.js';

/**
 * Duty desks of the shift handover log (issue #21; docs/handover.md). A desk follows from the
 * user's scope: an enterprise user's is the enterprise's duty room, a regulator's (or viewer's)
 * the duty centre of its region; the administrator keeps none.
 */
export function deskOf(principal: Principal): HandoverDesk | null {
  if (principal.enterpriseCode !== null) return { kind: 'enterprise', code: principal.enterpriseCode };
  if (principal.regionCode !== null) return { kind: 'region', code: principal.regionCode };
  return null;
}

export const deskName = (desk: HandoverDesk): string => `${desk.kind} ${desk.code}`;

export const sameDesk = (a: HandoverDesk, b: HandoverDesk | null): boolean =>
  b !== null && a.kind === b.kind && a.code === b.code;

/** The desk's region: an enterprise's (as the site model has it now), or the region itself. */
export function deskRegion(desk: HandoverDesk, site: SiteIndex | undefined): string | null {
  return desk.kind === 'region' ? desk.code : (site?.enterprise(desk.code)?.region ?? null);
}

/**
 * Whether the caller sees a record: an enterprise desk through its enterprise, or through the
 * region stored on the record (a regulator keeps the records of an enterprise that moved away); a
 * region desk through the region. The same rule as the list's `within` filter.
 */
export function seesHandover(access: Access, h: Handover): boolean {
  if (access.isAdmin) return true;
  if (h.desk.kind === 'region') return access.seesRegion(h.desk.code);
  return access.seesEnterprise(h.desk.code) || (h.region !== null && access.seesRegion(h.region));
}

/**
 * What is open in the desk's scope now, read from the alarm and 预警 tables (never from the
 * client): an enterprise desk's own, a region desk's whole subtree. Newest first, at most
 * HANDOVER_SNAPSHOT_LIMIT of each, with the totals.
 */
export async function takeSnapshot(
  client: SqlClient,
  site: SiteIndex | undefined,
  desk: HandoverDesk,
  access: Access,
  nowMs: number,
): Promise<HandoverSnapshot> {
  const enterprises = desk.kind === 'enterprise' ? [desk.code] : access.enterprises();
  const page = { limit: HANDOVER_SNAPSHOT_LIMIT, offset: 0 };
  const [alarms, warnings] = await Promise.all([
    queryAlarms(client, site, { openOnly: true, enterprises, pointIds: null, ...page }),
    queryWarnings(client, { status: 'open', enterprises, ...page }),
  ]);
  return {
    takenAt: nowMs,
    alarms: alarms.items.map((a) => ({
      id: a.id,
      condition: a.condition,
      state: a.state,
      colour: a.colour,
      enterprise: a.enterprise,
      pointId: a.pointId,
      tag: a.tag,
      hazard: a.hazard,
      since: a.raisedAt,
    })),
    alarmTotal: alarms.total,
    warnings: warnings.items.map((w) => ({
      id: w.id,
      colour: w.colour,
      state: w.state,
      level: w.level,
      enterprise: w.enterprise,
      hazard: w.hazard,
      since: w.openedAt,
    })),
    warningTotal: warnings.total,
  };
}
