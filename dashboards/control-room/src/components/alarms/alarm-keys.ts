/**
 * The alarm console's keyboard (issue #21): ↑/↓ move the current row, Enter acknowledges it,
 * Escape clears it. Never while the operator types (an input, a text area, a select, an editable
 * element) or works in a dialog, and never with a modifier (browser and system shortcuts). Enter is
 * also left to a focused button or link, whose own activation it is.
 */
export type ConsoleKey = 'next' | 'previous' | 'ack' | 'clear';

/** What the handler needs of a keydown event (KeyboardEvent has these). */
export interface KeyInput {
  readonly key: string;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly target: EventTarget | null;
}

const TYPING =
  'input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog, [role="dialog"]';
const ACTIVATES = 'button, a[href], summary';

/** Closest ancestor-or-self matching `selector`, for an element target; false for anything else. */
function within(target: EventTarget | null, selector: string): boolean {
  const el = target as { closest?: (s: string) => unknown } | null;
  return typeof el?.closest === 'function' && el.closest(selector) !== null;
}

export function consoleKey(e: KeyInput): ConsoleKey | null {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return null;
  if (within(e.target, TYPING)) return null;
  switch (e.key) {
    case 'ArrowDown':
      return 'next';
    case 'ArrowUp':
      return 'previous';
    case 'Enter':
      return within(e.target, ACTIVATES) ? null : 'ack';
    case 'Escape':
      return 'clear';
    default:
      return null;
  }
}

/** The id one row down (or up) from `current` in `ids`; the first (or last) row when none is current. */
export function moveCurrent(ids: readonly string[], current: string | null, step: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at === -1) return step === 1 ? ids[0]! : ids[ids.length - 1]!;
  return ids[Math.min(ids.length - 1, Math.max(0, at + step))]!;
}
