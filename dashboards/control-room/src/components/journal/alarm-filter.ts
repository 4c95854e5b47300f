/**
 * The filters the alarm journal and the live console share (issue #21; docs/journal.md): colour,
 * state, condition, region (its subtree), enterprise, hazard and free text. The journal sends them
 * to the API; the console applies the same rule to its live list here and sends them for its
 * export, so the file holds what the operator sees. Pure, so the rule is unit-tested.
 */
import type { AlarmCondition, AlarmState, WarningColour } from '@hazardwatch/contracts';

export interface AlarmFilter {
  /** Empty = every colour (likewise states and conditions). */
  readonly colours: readonly WarningColour[];
  readonly states: readonly AlarmState[];
  readonly conditions: readonly AlarmCondition[];
  /** A region code: its whole subtree. '' = any. */
  readonly region: string;
  readonly enterprise: string;
  /** A hazard of `enterprise` ('' = any). */
  readonly hazard: string;
  /** Literal, case-insensitive. */
  readonly text: string;
}

export const EMPTY_FILTER: AlarmFilter = Object.freeze({
  colours: [],
  states: [],
  conditions: [],
  region: '',
  enterprise: '',
  hazard: '',
  text: '',
});

/** What a filter reads of an open alarm. */
export interface FilterableAlarm {
  readonly colour: WarningColour | null;
  readonly state: AlarmState;
  readonly condition: AlarmCondition;
  readonly enterprise: string | null;
  readonly hazard: string | null;
  readonly tag: string | null;
  readonly gateway: string | null;
  readonly pointId: number | null;
}

/** Names the filter matches text against, from the site store. */
export interface FilterNames {
  enterpriseName(code: string): string | undefined;
  hazardName(enterprise: string, hazard: string): string | undefined;
  pointName(pointId: number): string | undefined;
  /** The enterprise's region and every region above it. */
  regionsOf(enterprise: string): readonly string[];
}

const has = (s: string | null | undefined, needle: string): boolean =>
  s !== null && s !== undefined && s.toLowerCase().includes(needle);

/**
 * Whether an open alarm passes the filter. The text matches the tag, the point's name, the
 * gateway, and the enterprise and hazard by code or name — as the API's console export does
 * (services/api journal-reader.ts alarmMatchesText).
 */
export function matchesAlarm(a: FilterableAlarm, f: AlarmFilter, names: FilterNames): boolean {
  if (f.colours.length > 0 && (a.colour === null || !f.colours.includes(a.colour))) return false;
  if (f.states.length > 0 && !f.states.includes(a.state)) return false;
  if (f.conditions.length > 0 && !f.conditions.includes(a.condition)) return false;
  if (f.enterprise !== '' && a.enterprise !== f.enterprise) return false;
  if (f.hazard !== '' && a.hazard !== f.hazard) return false;
  if (f.region !== '' && (a.enterprise === null || !names.regionsOf(a.enterprise).includes(f.region)))
    return false;
  const needle = f.text.trim().toLowerCase();
  if (needle === '') return true;
  const e = a.enterprise;
  return [
    a.tag,
    a.pointId === null ? undefined : names.pointName(a.pointId),
    a.gateway,
    e,
    e === null ? undefined : names.enterpriseName(e),
    a.hazard,
    e === null || a.hazard === null ? undefined : names.hazardName(e, a.hazard),
  ].some((s) => has(s, needle));
}

/** The filter as API query parameters (GET /alarm-journal, /alarms/active/export). */
export function filterQuery(f: AlarmFilter): Record<string, string | readonly string[] | undefined> {
  const text = f.text.trim();
  return {
    ...(f.colours.length > 0 ? { colour: f.colours } : {}),
    ...(f.states.length > 0 ? { state: f.states } : {}),
    ...(f.conditions.length > 0 ? { condition: f.conditions } : {}),
    ...(f.region !== '' ? { region: f.region } : {}),
    ...(f.enterprise !== '' ? { enterprise: f.enterprise } : {}),
    // A hazard code is its enterprise's own: sent only with it.
    ...(f.enterprise !== '' && f.hazard !== '' ? { hazard: f.hazard } : {}),
    ...(text !== '' ? { q: text } : {}),
  };
}

/** Whether anything is filtered (the console shows how many alarms the filter hides). */
export const isFiltering = (f: AlarmFilter): boolean =>
  f.colours.length + f.states.length + f.conditions.length > 0 ||
  f.region !== '' ||
  f.enterprise !== '' ||
  f.hazard !== '' ||
  f.text.trim() !== '';

/** A region tree as the site store holds it (RegionNode). */
export interface RegionTree {
  readonly code: string;
  readonly children: readonly RegionTree[];
}

/** Each region's code with the codes above it: a region filter takes the whole subtree. */
export function regionChains(roots: readonly RegionTree[]): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  const walk = (node: RegionTree, above: readonly string[]): void => {
    const chain = [node.code, ...above];
    chains.set(node.code, chain);
    for (const child of node.children) walk(child, chain);
  };
  for (const root of roots) walk(root, []);
  return chains;
}
