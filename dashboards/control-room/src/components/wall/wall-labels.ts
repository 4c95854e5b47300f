/**
 * Where the wall map's enterprise names go (issue #22): a wall is read from across a room, with
 * no zoom and no hover, so the name of the enterprise the duty officer must read is never covered.
 * Pure: the map measures the labels (container pixels) and applies the result.
 *
 * Labels are placed most severe first (the shown colour, then the open 预警's, then by code: the
 * same order every time). Each tries the right of its marker, then the left, above and below:
 *  - a coloured enterprise (red, orange, yellow, blue, or an open 预警) takes the first side that
 *    meets no label already placed and no region label, preferring sides inside the map; if every
 *    side meets a region label, it takes the side meeting fewest, and those region labels are
 *    hidden (the region's name is in the per-area table; the enterprise's alarm is not); if every
 *    side meets a more severe label, it is hidden — never drawn under another;
 *  - a normal (green) enterprise keeps its label only where it fits: a side inside the map that
 *    meets no placed label and no region label left shown; otherwise it is hidden.
 * Region names are thinned first (the per-area table names every region): one over a coloured
 * enterprise's marker is hidden (a region with one enterprise has its name where the marker is,
 * and the colour is what is read), then, in the basemap's order (outer regions first), one
 * meeting a name kept (a city's wall: a park's name on its county's).
 * So no shown label covers another, and no region label covers a coloured enterprise's name.
 */
import type { WarningColour } from '@hazardwatch/contracts';
import { colourRank } from '../../logic/colour.js';

/** A box in the map's container pixels (x, y: its top left). */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type LabelSide = 'right' | 'left' | 'top' | 'bottom';
export const LABEL_SIDES: readonly LabelSide[] = ['right', 'left', 'top', 'bottom'];

export interface LabelInput {
  readonly code: string;
  /** The colour the marker is filled with; null = normal. */
  readonly shown: WarningColour | null;
  /** The open 预警's colour; null = none. */
  readonly warning: WarningColour | null;
  /** The marker's centre. */
  readonly x: number;
  readonly y: number;
  /** The label's size. */
  readonly w: number;
  readonly h: number;
}

export interface LabelPlacement {
  readonly code: string;
  /** null: hidden (no side where it could be read). */
  readonly side: LabelSide | null;
  readonly box: Box | null;
}

export interface LabelLayout {
  /** One per input, in placing order (most severe first). */
  readonly labels: readonly LabelPlacement[];
  /**
   * Indexes (in the input's order, outer regions first) of the region labels to hide: under a
   * coloured enterprise's name, or meeting an earlier region's name.
   */
  readonly hiddenRegions: readonly number[];
}

/**
 * The label's box on `side` of a marker whose label stands `gap` px from its centre: beside it
 * vertically centred, above or below it horizontally centred (as Leaflet's tooltip directions
 * place it with that offset).
 */
export function labelBox(l: Pick<LabelInput, 'x' | 'y' | 'w' | 'h'>, side: LabelSide, gap: number): Box {
  switch (side) {
    case 'right':
      return { x: l.x + gap, y: l.y - l.h / 2, w: l.w, h: l.h };
    case 'left':
      return { x: l.x - gap - l.w, y: l.y - l.h / 2, w: l.w, h: l.h };
    case 'top':
      return { x: l.x - l.w / 2, y: l.y - gap - l.h, w: l.w, h: l.h };
    case 'bottom':
      return { x: l.x - l.w / 2, y: l.y + gap, w: l.w, h: l.h };
  }
}

/**
 * Whether two boxes share any area, or come closer than `margin` px (touching edges do not meet
 * with no margin; an empty box meets nothing).
 */
export function overlaps(a: Box, b: Box, margin = 0): boolean {
  if (a.w <= 0 || a.h <= 0 || b.w <= 0 || b.h <= 0) return false;
  return (
    a.x < b.x + b.w + margin &&
    b.x < a.x + a.w + margin &&
    a.y < b.y + b.h + margin &&
    b.y < a.y + a.h + margin
  );
}

const inside = (b: Box, view: { w: number; h: number }): boolean =>
  view.w <= 0 || view.h <= 0 || (b.x >= 0 && b.y >= 0 && b.x + b.w <= view.w && b.y + b.h <= view.h);

/** Most severe first: shown colour, then the open 预警's colour, then code. */
export function labelOrder(a: LabelInput, b: LabelInput): number {
  return (
    colourRank(b.shown) - colourRank(a.shown) ||
    colourRank(b.warning) - colourRank(a.warning) ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

export function placeLabels(
  labels: readonly LabelInput[],
  regions: readonly Box[],
  view: { w: number; h: number },
  gap: number,
  /** Space kept between labels, px (a rounding of the browser's never makes two touch). */
  margin = 0,
  /** How far a marker (with its 预警 ring) reaches from its centre, px; 0: markers are not minded. */
  markerRadius = 0,
): LabelLayout {
  const placed: Box[] = [];
  const regionHidden = new Set<number>();
  const markers = labels
    .filter((l) => markerRadius > 0 && (l.shown !== null || l.warning !== null))
    .map((l) => ({ x: l.x - markerRadius, y: l.y - markerRadius, w: 2 * markerRadius, h: 2 * markerRadius }));
  const keptRegions: Box[] = [];
  regions.forEach((r, i) => {
    if (markers.some((m) => overlaps(r, m, margin)) || keptRegions.some((k) => overlaps(r, k, margin)))
      regionHidden.add(i);
    else keptRegions.push(r);
  });
  const out: LabelPlacement[] = [];
  const regionsMet = (b: Box): number[] =>
    regions.flatMap((r, i) => (!regionHidden.has(i) && overlaps(b, r, margin) ? [i] : []));
  for (const l of [...labels].sort(labelOrder)) {
    const coloured = l.shown !== null || l.warning !== null;
    const sides = LABEL_SIDES.map((side) => ({ side, box: labelBox(l, side, gap) })).filter(
      (s) => !placed.some((p) => overlaps(s.box, p, margin)),
    );
    // Clear of everything, inside the map first; a coloured one may then go out of the map's edge.
    let pick =
      sides.find((s) => inside(s.box, view) && regionsMet(s.box).length === 0) ??
      (coloured ? sides.find((s) => regionsMet(s.box).length === 0) : undefined);
    if (pick === undefined && coloured && sides.length > 0) {
      // Every free side meets a region label: the fewest, inside the map first; those are hidden.
      const cost = (s: { box: Box }): number => regionsMet(s.box).length * 2 + (inside(s.box, view) ? 0 : 1);
      pick = sides.reduce((best, s) => (cost(s) < cost(best) ? s : best));
      for (const i of regionsMet(pick.box)) regionHidden.add(i);
    }
    if (pick === undefined) {
      out.push({ code: l.code, side: null, box: null });
      continue;
    }
    placed.push(pick.box);
    out.push({ code: l.code, side: pick.side, box: pick.box });
  }
  return { labels: out, hiddenRegions: [...regionHidden].sort((a, b) => a - b) };
}
