/** 预警 colour steps (blue < yellow < orange < red, REFERENCE §1); ranks are the contracts'. Internal. */
import { WARNING_COLOURS, type WarningColour } from '@hazardwatch/contracts';

/** One colour lower, never below blue. */
export function colourBelow(colour: WarningColour): WarningColour {
  return WARNING_COLOURS[Math.max(0, WARNING_COLOURS.indexOf(colour) - 1)] ?? 'blue';
}
