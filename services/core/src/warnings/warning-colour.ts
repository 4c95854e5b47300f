/** Ordering helpers for 预警 colours (blue < yellow < orange < red, REFERENCE §1). Internal. */
import { WARNING_COLOURS, type WarningColour } from '@hazardwatch/contracts';

/** 0 = blue … 3 = red; -1 for null (back to normal). */
export function colourRank(colour: WarningColour | null): number {
  return colour === null ? -1 : WARNING_COLOURS.indexOf(colour);
}

export function isWarningColour(value: unknown): value is WarningColour {
  return typeof value === 'string' && (WARNING_COLOURS as readonly string[]).includes(value);
}

/** One colour lower, never below blue. */
export function colourBelow(colour: WarningColour): WarningColour {
  return WARNING_COLOURS[Math.max(0, colourRank(colour) - 1)] ?? 'blue';
}
