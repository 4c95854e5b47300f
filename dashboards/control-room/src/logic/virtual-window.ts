/**
 * Fixed-row-height list virtualisation: which rows to render for a scroll position. 2,000 active
 * alarms as DOM rows would cost ~100k nodes and stall a 24-hour console; a window of ~40 rows does not.
 */
export interface VirtualWindow {
  /** First row index rendered. */
  readonly start: number;
  /** One past the last row rendered. */
  readonly end: number;
  /** px above the first rendered row (spacer). */
  readonly offsetTop: number;
  /** px of the whole list. */
  readonly totalHeight: number;
}

export function virtualWindow(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 8,
): VirtualWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.max(start, Math.min(count, first + visible + overscan));
  return { start, end, offsetTop: start * rowHeight, totalHeight: count * rowHeight };
}
