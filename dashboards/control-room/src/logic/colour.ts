/**
 * 预警 four-colour semantics (REFERENCE §5): 红 重大 > 橙 较大 > 黄 一般 > 蓝 低; null = normal.
 * Colours are compared by rank, never by name.
 */
import {
  colourRank,
  WARNING_COLOURS,
  WARNING_COLOURS_DESC,
  worstColour,
  type WarningColour,
} from '@hazardwatch/contracts';

// One order for every package (@hazardwatch/contracts), under the names the views use.
export { colourRank, worstColour, type WarningColour };
/** Lowest first. */
export const COLOURS = WARNING_COLOURS;
/** Highest first: legends, counts and the alarm console read top-down from red. */
export const COLOURS_DESC = WARNING_COLOURS_DESC;

/**
 * Screen colours, chosen for a dark background. The fill hues follow the usual 风险四色图
 * convention (pure red/orange/yellow/blue) so printed plans and the screen agree.
 */
export const COLOUR_HEX: Readonly<Record<WarningColour | 'normal', string>> = {
  red: '#ff3b30',
  orange: '#ff9500',
  yellow: '#ffd60a',
  blue: '#0a84ff',
  normal: '#34c759',
};

export function colourHex(c: WarningColour | null | undefined): string {
  return COLOUR_HEX[c ?? 'normal'];
}
