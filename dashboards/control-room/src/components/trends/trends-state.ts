/**
 * What the trends view shows, carried in the hash so a view can be bookmarked and shared:
 * `#/trends/points=12,15&range=24h` (a preset, relative to when it is opened) or
 * `#/trends/points=12,15&from=2026-12-06T08:00&to=2026-12-06T16:00` (a fixed range, written in
 * China time, UTC+8, as the duty centre reads its clock). Anything unreadable falls back to the
 * default rather than failing: a hand-edited link still opens the view.
 */
import { cstInputValue, parseCstInput } from '../../logic/format.js';

export const RANGE_PRESETS = ['1h', '8h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Per preset, its length and the bucket budget sent as `maxPoints`: the API then chooses raw for
 * 1 h, 1-minute buckets for a shift and a day, 1-hour buckets beyond (services/store history.ts,
 * raw counted at one reading a second) — as the point detail view does.
 */
export const PRESETS: Readonly<Record<RangePreset, { readonly ms: number; readonly maxPoints: number }>> = {
  '1h': { ms: HOUR, maxPoints: 4000 },
  '8h': { ms: 8 * HOUR, maxPoints: 1000 },
  '24h': { ms: DAY, maxPoints: 1500 },
  '7d': { ms: 7 * DAY, maxPoints: 1000 },
  '30d': { ms: 30 * DAY, maxPoints: 1000 },
};
/** A custom range: raw up to ~25 min, 1-minute buckets up to ~25 h, 1-hour buckets beyond. */
export const CUSTOM_MAX_POINTS = 1500;
/** Most points one trend overlays: one colour each from the palette, still readable. */
export const MAX_TREND_POINTS = 8;
/** Longest custom range (the 1-hour rollups' reach; the API refuses more than it can export). */
export const MAX_CUSTOM_MS = 366 * DAY;

export type TrendRange =
  | { readonly kind: 'preset'; readonly preset: RangePreset }
  | { readonly kind: 'custom'; readonly from: number; readonly to: number };

export interface TrendsState {
  readonly points: readonly number[];
  readonly range: TrendRange;
}

export const DEFAULT_RANGE: TrendRange = { kind: 'preset', preset: '24h' };

/** `2026-12-06T08:00` (the `datetime-local` input's format) in China time, from ms UTC. */
export const toShanghaiInput = cstInputValue;

/** ms UTC of a `yyyy-mm-ddThh:mm` read as China time; null when it is not one. */
export function fromShanghaiInput(text: string): number | null {
  const ms = parseCstInput(text);
  // Date.UTC rolls 2026-02-30 over into March: only a real date-time reads back the same.
  return Number.isFinite(ms) && cstInputValue(ms) === text ? ms : null;
}

const isPreset = (s: string | null): s is RangePreset =>
  s !== null && (RANGE_PRESETS as readonly string[]).includes(s);

/** The state of a hash query (`points=…&range=…` or `points=…&from=…&to=…`). */
export function parseTrendsQuery(query: string): TrendsState {
  const q = new URLSearchParams(query);
  const points = [
    ...new Set(
      (q.get('points') ?? '')
        .split(',')
        .filter((p) => /^\d{1,10}$/.test(p))
        .map(Number),
    ),
  ].slice(0, MAX_TREND_POINTS);
  const preset = q.get('range');
  if (isPreset(preset)) return { points, range: { kind: 'preset', preset } };
  const from = fromShanghaiInput(q.get('from') ?? '');
  const to = fromShanghaiInput(q.get('to') ?? '');
  if (from !== null && to !== null && to > from && to - from <= MAX_CUSTOM_MS) {
    return { points, range: { kind: 'custom', from, to } };
  }
  return { points, range: DEFAULT_RANGE };
}

/** The hash query of a state; readable, so a shared link says what it shows. */
export function formatTrendsQuery(state: TrendsState): string {
  const parts = [`points=${state.points.join(',')}`];
  if (state.range.kind === 'preset') parts.push(`range=${state.range.preset}`);
  else parts.push(`from=${toShanghaiInput(state.range.from)}`, `to=${toShanghaiInput(state.range.to)}`);
  return parts.join('&');
}

/** The whole hash of a trends view (router.ts: `#/trends/<query>`). */
export function trendsHash(state: TrendsState): string {
  return `#/trends/${formatTrendsQuery(state)}`;
}

/** The request a range makes now: [from, to) in ms UTC and the bucket budget. */
export function resolveRange(
  range: TrendRange,
  now: number,
): { from: number; to: number; maxPoints: number } {
  if (range.kind === 'custom') return { from: range.from, to: range.to, maxPoints: CUSTOM_MAX_POINTS };
  const p = PRESETS[range.preset];
  return { from: Math.floor(now - p.ms), to: Math.ceil(now), maxPoints: p.maxPoints };
}
