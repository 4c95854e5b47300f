import {
  JOURNAL_MAX_PAGE_ROWS,
  JOURNAL_MAX_RANGE_DAYS,
  type AlarmCondition,
  type AlarmRow,
  type AlarmState,
  type JournalEntry,
  type JournalSort,
  type SortDirection,
  type WarningColour,
} from '@hazardwatch/contracts';
import type { SiteIndex } from '@hazardwatch/core';
import type { JournalQuery, JournalRow } from '@hazardwatch/store';
import type { Access } from '../access/access.js';
import { apiErrors } from '../errors.js';
import { csvTime } from '../export/csv.js';
import { checkListFilters } from '../http/schemas.js';

const DAY_MS = 86_400_000;

/** The filters the journal, its export and the console export share (query parameters). */
export interface AlarmListFilters {
  readonly region?: string | undefined;
  readonly enterprise?: string | undefined;
  readonly hazard?: string | undefined;
  readonly colour?: readonly WarningColour[] | undefined;
  readonly state?: readonly AlarmState[] | undefined;
  readonly condition?: readonly AlarmCondition[] | undefined;
  /** Free text (literal, case-insensitive). */
  readonly q?: string | undefined;
}

export interface JournalFilters extends AlarmListFilters {
  readonly from: number;
  readonly to: number;
  readonly sort?: JournalSort | undefined;
  readonly dir?: SortDirection | undefined;
}

/** Refuses a range that is reversed or longer than JOURNAL_MAX_RANGE_DAYS, naming the limit. */
export function checkJournalRange(f: JournalFilters): void {
  checkListFilters(f);
  if (f.to - f.from > JOURNAL_MAX_RANGE_DAYS * DAY_MS)
    throw apiErrors.create('HW_API_RANGE_TOO_LONG', {
      fromMs: f.from,
      toMs: f.to,
      maxDays: JOURNAL_MAX_RANGE_DAYS,
    });
}

/** Refuses a page reaching past JOURNAL_MAX_PAGE_ROWS (offset + limit), naming the limit. */
export function checkPageDepth(limit: number, offset: number): void {
  if (offset + limit > JOURNAL_MAX_PAGE_ROWS)
    throw apiErrors.create('HW_API_VALIDATION', {
      detail: `offset + limit is ${offset + limit}, at most ${JOURNAL_MAX_PAGE_ROWS} allowed: narrow the time range or the filters`,
    });
}

const contains = (haystack: string | null | undefined, needle: string): boolean =>
  haystack !== null && haystack !== undefined && haystack.toLowerCase().includes(needle);

/**
 * What free text names in the site model, within the enterprises the caller sees: points by name
 * or tag, or whose hazard it names, and enterprises by name. The stored texts (tag, reason, actor)
 * are matched by the query itself.
 */
export function textMatches(
  site: SiteIndex | undefined,
  enterprises: readonly string[] | null,
  text: string,
): { pointIds: number[]; enterprises: string[] } {
  const needle = text.toLowerCase();
  const codes = enterprises ?? site?.site.enterprises.map((e) => e.code) ?? [];
  const pointIds: number[] = [];
  const named: string[] = [];
  for (const code of codes) {
    if (contains(site?.enterprise(code)?.name, needle)) named.push(code);
    for (const p of site?.pointsOfEnterprise(code) ?? []) {
      const hazard = p.hazard === null ? undefined : site?.hazard(code, p.hazard);
      if (contains(p.name, needle) || contains(p.tag, needle) || contains(hazard?.name, needle))
        pointIds.push(p.id);
    }
  }
  return { pointIds, enterprises: named };
}

/** The store query for the caller: its scope narrowed by the filters (a hazard by its points). */
export function journalQuery(
  f: JournalFilters,
  access: Access,
  site: SiteIndex | undefined,
  page: { limit: number; offset: number; maxId?: string | undefined },
): JournalQuery {
  const enterprises = access.enterpriseFilter({ region: f.region, enterprise: f.enterprise });
  const pointIds =
    f.hazard !== undefined && f.enterprise !== undefined
      ? (site?.pointsOfHazard(f.enterprise, f.hazard).map((p) => p.id) ?? [])
      : null;
  const text = f.q?.trim();
  return {
    fromMs: f.from,
    toMs: f.to,
    enterprises,
    pointIds,
    colours: f.colour,
    states: f.state,
    conditions: f.condition,
    ...(text ? { text: { value: text, ...textMatches(site, enterprises, text) } } : {}),
    sort: f.sort ?? 'ts',
    direction: f.dir ?? 'desc',
    maxId: page.maxId,
    limit: page.limit,
    offset: page.offset,
  };
}

/** A stored event with the names, unit and hazard of the site model (null where it has none). */
export function journalEntry(r: JournalRow, site: SiteIndex | undefined): JournalEntry {
  const point = r.pointId === null ? undefined : site?.pointById(r.pointId);
  const enterprise = r.enterprise === null ? undefined : site?.enterprise(r.enterprise);
  const hazardCode = point?.hazard ?? null;
  const hazard =
    hazardCode === null || r.enterprise === null ? undefined : site?.hazard(r.enterprise, hazardCode);
  return {
    id: r.id,
    alarmId: r.alarmId,
    ts: r.ts,
    at: csvTime(new Date(r.ts)),
    from: r.from,
    to: r.to,
    condition: r.condition,
    colour: r.colour,
    actor: r.actor,
    reason: r.reason,
    value: r.value,
    limit: r.limit,
    unit: point?.unit ?? null,
    late: r.late,
    enterprise: r.enterprise,
    enterpriseName: enterprise?.name ?? null,
    hazard: hazardCode,
    hazardName: hazard?.name ?? null,
    pointId: r.pointId,
    tag: r.tag ?? point?.tag ?? null,
    pointName: point?.name ?? null,
    gateway: point?.gateway ?? r.gateway,
  };
}

/**
 * The console's free-text filter over an open alarm (the dashboard applies the same to its live
 * list, components/journal/alarm-filter.ts): tag, point name, gateway, enterprise and hazard by
 * code or name.
 */
export function alarmMatchesText(a: AlarmRow, site: SiteIndex | undefined, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  const point = a.pointId === null ? undefined : site?.pointById(a.pointId);
  const enterprise = a.enterprise === null ? undefined : site?.enterprise(a.enterprise);
  const hazard =
    a.enterprise === null || a.hazard === null ? undefined : site?.hazard(a.enterprise, a.hazard);
  return [a.tag, point?.name, a.gateway, a.enterprise, enterprise?.name, a.hazard, hazard?.name].some((s) =>
    contains(s, needle),
  );
}

/** Console order (dashboard logic/alarm-sort.ts): highest colour first, newest first, then id. */
const RANK: Readonly<Record<WarningColour, number>> = { blue: 1, yellow: 2, orange: 3, red: 4 };
export function compareConsole(a: AlarmRow, b: AlarmRow): number {
  const rank = (c: WarningColour | null): number => (c === null ? 0 : RANK[c]);
  return (
    rank(b.colour) - rank(a.colour) || b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
