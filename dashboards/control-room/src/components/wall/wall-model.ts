/**
 * What the wall display (大屏, issue #22) shows, computed from the stores without Vue so that the
 * counting, ageing and ordering rules are unit-tested:
 *  - colour counts of the region's enterprises overall and per child region, by the colour the map
 *    draws (map-colours.ts: the worse of the alarm roll-up and the open 预警 — never green where a
 *    red 预警 is open);
 *  - open 预警 of the region with their age and current step, most severe first, oldest first
 *    within a colour (the one waiting longest for its handling is read first);
 *  - the gateways' online rate as the data-quality view reads each gateway (gateway-rows.ts);
 *  - the newest open alarms for the rotating list, and the page of it shown now;
 *  - whether the screen's data can be trusted now (connection and quiet time).
 * Every list is cut to what a wall can show: a region of thousands of alarms renders a bounded page.
 */
import type { RegionNode, WarningColour, WarningRow, WarningState } from '@hazardwatch/contracts';
import { colourRank } from '../../logic/colour.js';
import type { ConnectionState } from '../../live/live-client.js';
import { QUIET_AFTER_MS } from '../../state/live-store.js';
import { flattenRegions, subtreeCodes } from '../../state/site-store.js';
import { regionMarks, tally, type ColourTally, type MarkColour } from '../map/map-colours.js';
import type { GatewayRow } from '../quality/gateway-rows.js';

/** The region a wall shows: the route's, else the user's own region, else the first root. */
export function wallRegion(
  roots: readonly RegionNode[],
  requested: string | null,
  userRegion: string | null,
): RegionNode | null {
  const all = flattenRegions(roots);
  const code = requested ?? userRegion ?? roots[0]?.code ?? null;
  return code === null ? null : (all.find((r) => r.code === code) ?? null);
}

export interface WallEnterprise {
  readonly code: string;
  readonly name: string;
  readonly region: string;
}

/** One row of the per-area table: a child region (its subtree) or an enterprise directly in the region. */
export interface WallArea {
  readonly kind: 'region' | 'enterprise';
  readonly code: string;
  readonly name: string;
  /** Worst shown colour; null = normal. */
  readonly colour: WarningColour | null;
  /** Highest colour of the open 预警 in it; null = none open. */
  readonly warning: WarningColour | null;
  /** Enterprises per shown colour (one, for an enterprise row). */
  readonly counts: ColourTally;
}

export interface WallCounts {
  /** Enterprises of the region's subtree per shown colour. */
  readonly overall: ColourTally;
  /** Child regions, then the enterprises directly in the region: worst colour first, then by name. */
  readonly areas: readonly WallArea[];
}

const byName = (a: { name: string; code: string }, b: { name: string; code: string }): number =>
  a.name.localeCompare(b.name, 'zh-CN') || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

export function wallCounts(
  region: RegionNode,
  enterprises: readonly WallEnterprise[],
  markOf: (enterprise: string) => MarkColour,
): WallCounts {
  const inSubtree = subtreeCodes(region);
  const own = enterprises.filter((e) => inSubtree.has(e.region));
  const marks = regionMarks([region], own, markOf);
  const areas: WallArea[] = [
    ...region.children.map((c): WallArea => {
      const m = marks.get(c.code);
      return {
        kind: 'region',
        code: c.code,
        name: c.name,
        colour: m?.colour ?? null,
        warning: m?.warning ?? null,
        counts: m?.enterprises ?? tally([]),
      };
    }),
    ...own
      .filter((e) => e.region === region.code)
      .map((e): WallArea => {
        const m = markOf(e.code);
        return {
          kind: 'enterprise',
          code: e.code,
          name: e.name,
          colour: m.shown,
          warning: m.warning,
          counts: tally([m]),
        };
      }),
  ];
  areas.sort((a, b) => colourRank(b.colour) - colourRank(a.colour) || byName(a, b));
  return { overall: tally(own.map((e) => markOf(e.code))), areas };
}

export interface WallWarning {
  readonly id: string;
  readonly enterprise: string;
  readonly hazard: string | null;
  readonly colour: WarningColour;
  /** The loop's state now: the step it waits at (待签收, 已签收 …). */
  readonly state: WarningState;
  readonly level: WarningRow['level'];
  readonly openedAt: number;
  /** now − openedAt, never negative (a browser clock behind the server's). */
  readonly ageMs: number;
}

/**
 * Open 预警 of the given enterprises, most severe first, then the oldest first, then by id (a
 * stable order: rows do not swap places between renders).
 */
export function wallWarnings(
  warnings: readonly WarningRow[],
  inScope: (enterprise: string) => boolean,
  now: number,
): WallWarning[] {
  return warnings
    .filter((w) => w.state !== 'closed' && inScope(w.enterprise))
    .map((w): WallWarning => ({
      id: w.id,
      enterprise: w.enterprise,
      hazard: w.hazard,
      colour: w.colour,
      state: w.state,
      level: w.level,
      openedAt: w.openedAt,
      ageMs: Math.max(0, now - w.openedAt),
    }))
    .sort(
      (a, b) =>
        colourRank(b.colour) - colourRank(a.colour) ||
        a.openedAt - b.openedAt ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

/** Open 预警 per colour. */
export function warningCounts(warnings: readonly WallWarning[]): Record<WarningColour, number> {
  const c: Record<WarningColour, number> = { red: 0, orange: 0, yellow: 0, blue: 0 };
  for (const w of warnings) c[w.colour] += 1;
  return c;
}

export interface WallOnline {
  readonly total: number;
  readonly online: number;
  readonly offline: number;
  /** Never heard from: counted in the total, not online (nothing says they are). */
  readonly neverSeen: number;
  /** 100 × online / total; null without gateways. */
  readonly ratePct: number | null;
}

/**
 * The online rate of the region's gateways, each read as the data-quality view reads it (live
 * presence, stored status, open GATEWAY_OFFLINE alarm; gateway-rows.ts). A gateway never heard
 * from is not online: the rate only counts what the plant said.
 */
export function wallOnline(rows: readonly Pick<GatewayRow, 'online'>[]): WallOnline {
  let online = 0;
  let offline = 0;
  let neverSeen = 0;
  for (const r of rows) {
    if (r.online === true) online += 1;
    else if (r.online === false) offline += 1;
    else neverSeen += 1;
  }
  const total = rows.length;
  return { total, online, offline, neverSeen, ratePct: total === 0 ? null : (100 * online) / total };
}

export interface TickerAlarm {
  readonly id: string;
  readonly raisedAt: number;
  readonly enterprise: string | null;
}

/** How many of the newest alarms the rotating list goes through. */
export const TICKER_MAX = 40;

/** The newest open alarms of the given enterprises, newest first, at most `max`. */
export function latestAlarms<T extends TickerAlarm>(
  alarms: Iterable<T>,
  inScope: (enterprise: string) => boolean,
  max = TICKER_MAX,
): T[] {
  const out: T[] = [];
  for (const a of alarms) if (a.enterprise !== null && inScope(a.enterprise)) out.push(a);
  out.sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out.slice(0, max);
}

/** The page of `size` rows shown at rotation step `step` (wraps); page numbers from 1. */
export function tickerPage<T>(
  rows: readonly T[],
  size: number,
  step: number,
): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const page = ((step % pages) + pages) % pages;
  return { rows: rows.slice(page * size, page * size + size), page: page + 1, pages };
}

export type WallHealth = 'live' | 'quiet' | 'connecting' | 'lost' | 'degraded';

/**
 * Whether the wall may look calm: only while connected and data keeps coming. `lost` (offline or
 * refused) and `quiet` (connected, nothing for QUIET_AFTER_MS, as the header's badge) dim the wall and put the age of its data across the top.
 * `degraded`: connected, but the server cannot push (live-status live:false, its Redis lost): the
 * data is refreshed every 10 s only, so the wall is dimmed and says so.
 */
export function wallHealth(
  state: ConnectionState,
  lastDataAt: number | null,
  now: number,
  degraded = false,
): WallHealth {
  if (state === 'offline' || state === 'refused') return 'lost';
  if (state === 'connecting') return 'connecting';
  if (degraded) return 'degraded';
  return lastDataAt === null || now - lastDataAt > QUIET_AFTER_MS ? 'quiet' : 'live';
}
