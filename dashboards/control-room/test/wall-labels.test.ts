import { describe, expect, it } from 'vitest';
import {
  labelBox,
  overlaps,
  placeLabels,
  type Box,
  type LabelInput,
  type LabelLayout,
} from '../src/components/wall/wall-labels.js';

const GAP = 16;
const VIEW = { w: 1000, h: 800 };
const label = (code: string, x: number, y: number, over: Partial<LabelInput> = {}): LabelInput => ({
  code,
  shown: null,
  warning: null,
  x,
  y,
  w: 200,
  h: 24,
  ...over,
});

/** Shown boxes that meet another shown box or a shown region label (the wall's rule broken). */
function covered(layout: LabelLayout, regions: readonly Box[]): string[] {
  const shown = layout.labels.filter((l) => l.box !== null);
  const regionShown = regions.filter((_, i) => !layout.hiddenRegions.includes(i));
  return shown
    .filter(
      (l) =>
        shown.some((o) => o !== l && overlaps(l.box!, o.box!)) ||
        regionShown.some((r) => overlaps(l.box!, r)),
    )
    .map((l) => l.code);
}

/** Today's (before this rule) layout: every name right of its marker, nothing hidden. */
function allRight(labels: readonly LabelInput[]): LabelLayout {
  return {
    labels: labels.map((l) => ({ code: l.code, side: 'right', box: labelBox(l, 'right', GAP) })),
    hiddenRegions: [],
  };
}

/**
 * The demo's chemical park at 1920×1080 (pixels as measured on the wall): 如东恒泰石化 (green)
 * 60 px left of 如东示例氯碱 (red), 8 px higher, its name running over the red one's; the park's
 * name under its centroid, between them.
 */
const park = [
  label('E-RED', 500, 400, { shown: 'red', warning: 'red', w: 230 }),
  label('E-GREEN', 440, 392, { w: 210 }),
  label('E-FINE', 560, 340, { shown: 'yellow', w: 230 }),
];
const parkName: Box = { x: 380, y: 396, w: 260, h: 18 };

describe('wall map labels', () => {
  it('the crowded park: no name covers the red one (today every name right of its marker does)', () => {
    expect(covered(allRight(park), [parkName])).toContain('E-RED');
    const layout = placeLabels(park, [parkName], VIEW, GAP);
    expect(covered(layout, [parkName])).toEqual([]);
    const red = layout.labels.find((l) => l.code === 'E-RED')!;
    expect(red.box).not.toBeNull();
    expect(layout.labels.find((l) => l.code === 'E-FINE')!.box).not.toBeNull();
  });

  it('most severe first, then the 预警, then code; the same input gives the same layout', () => {
    const ls = [
      label('A', 100, 100),
      label('B', 300, 100, { shown: 'blue' }),
      label('C', 500, 100, { shown: 'blue', warning: 'blue' }),
      label('D', 700, 100, { shown: 'red' }),
      label('E', 700, 300, { shown: 'orange' }),
    ];
    const layout = placeLabels(ls, [], VIEW, GAP);
    expect(layout.labels.map((l) => l.code)).toEqual(['D', 'E', 'C', 'B', 'A']);
    expect(placeLabels([...ls].reverse(), [], VIEW, GAP)).toEqual(layout);
  });

  it('the lesser label moves to a free side, else is hidden; the red one keeps the right', () => {
    // Green 40 px left of red at the same height: its right side runs over red's.
    const layout = placeLabels([label('G', 460, 400), label('R', 500, 400, { shown: 'red' })], [], VIEW, GAP);
    expect(layout.labels).toEqual([
      { code: 'R', side: 'right', box: labelBox(label('R', 500, 400), 'right', GAP) },
      { code: 'G', side: 'left', box: labelBox(label('G', 460, 400), 'left', GAP) },
    ]);
    // Ringed in on every side by more severe names: hidden, never drawn under them.
    const five = placeLabels(
      ['R0', 'R1', 'R2', 'R3', 'O4'].map((c) => label(c, 500, 400, { shown: c === 'O4' ? 'orange' : 'red' })),
      [],
      VIEW,
      GAP,
    );
    expect(five.labels.map((l) => [l.code, l.side])).toEqual([
      ['R0', 'right'],
      ['R1', 'left'],
      ['R2', 'top'],
      ['R3', 'bottom'],
      ['O4', null],
    ]);
  });

  it('a region label gives way to a coloured name, never to a green one', () => {
    // The region's name on all four sides of the marker: nothing free.
    const x = 500;
    const y = 400;
    const regions: Box[] = (['right', 'left', 'top', 'bottom'] as const).map((s) =>
      labelBox({ x, y, w: 200, h: 24 }, s, GAP),
    );
    const green = placeLabels([label('G', x, y)], regions, VIEW, GAP);
    expect(green.labels[0]!.side).toBeNull();
    expect(green.hiddenRegions).toEqual([]);
    const blue = placeLabels([label('B', x, y, { warning: 'blue' })], regions, VIEW, GAP);
    expect(blue.labels[0]!.side).toBe('right');
    expect(blue.hiddenRegions).toEqual([0]);
    // One side free of region labels: taken, nothing hidden.
    const free = placeLabels([label('B', x, y, { shown: 'blue' })], regions.slice(0, 3), VIEW, GAP);
    expect(free.labels[0]!.side).toBe('bottom');
    expect(free.hiddenRegions).toEqual([]);
  });

  it('region names that meet are thinned, outer region first (a county name over its park name)', () => {
    const county: Box = { x: 300, y: 300, w: 160, h: 20 };
    const park: Box = { x: 380, y: 310, w: 160, h: 20 }; // on the county's name
    const town: Box = { x: 700, y: 600, w: 160, h: 20 }; // clear of both
    const parkOnPark: Box = { x: 500, y: 318, w: 160, h: 20 }; // meets the hidden park only
    const layout = placeLabels([], [county, park, town, parkOnPark], VIEW, GAP);
    expect(layout.hiddenRegions).toEqual([1]);
    // With a margin, names closer than it count as meeting.
    const near: Box = { x: 462, y: 300, w: 100, h: 20 };
    expect(placeLabels([], [county, near], VIEW, GAP).hiddenRegions).toEqual([]);
    expect(placeLabels([], [county, near], VIEW, GAP, 4).hiddenRegions).toEqual([1]);
    // A region name over a coloured marker (with its ring) is hidden; over a green one it stays.
    const onMarker: Box = { x: 600, y: 505, w: 60, h: 20 };
    const marked = (shown: 'red' | null) =>
      placeLabels([label('M', 630, 500, { shown })], [onMarker], VIEW, GAP, 0, 18).hiddenRegions;
    expect(marked('red')).toEqual([0]);
    expect(marked(null)).toEqual([]);
    // Without a radius (the default) markers are not minded.
    expect(
      placeLabels([label('M', 630, 500, { shown: 'red' })], [onMarker], VIEW, GAP).hiddenRegions,
    ).toEqual([]);
    // A green enterprise's name still finds its side among the kept ones only.
    const green = placeLabels([label('G', 200, 310, { w: 150 })], [county, park], VIEW, GAP);
    expect(green.labels[0]!.side).toBe('left');
  });

  it('sides inside the map first; a green name out of the map is hidden, a coloured one is not', () => {
    // At the right edge: the right side would leave the map.
    const edge = placeLabels([label('Y', 950, 400, { shown: 'yellow' })], [], VIEW, GAP);
    expect(edge.labels[0]!.side).toBe('left');
    const corner = { w: 100, h: 30 };
    expect(placeLabels([label('G', 50, 15)], [], corner, GAP).labels[0]!.side).toBeNull();
    expect(placeLabels([label('Y', 50, 15, { shown: 'yellow' })], [], corner, GAP).labels[0]!.side).toBe(
      'right',
    );
    // Unmeasured (a map without size, as in a test DOM): nothing is out of it, nothing meets.
    const none = placeLabels(
      [label('A', 0, 0, { w: 0, h: 0 }), label('B', 0, 0, { w: 0, h: 0 })],
      [],
      { w: 0, h: 0 },
      GAP,
    );
    expect(none.labels.map((l) => l.side)).toEqual(['right', 'right']);
  });
});
