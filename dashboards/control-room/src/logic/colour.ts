/**
 * 预警 four-colour semantics (REFERENCE §5): 红 重大 > 橙 较大 > 黄 一般 > 蓝 低; null = normal.
 * Colours are compared by rank, never by name.
 */
import type { WarningColour } from '@hazardwatch/contracts';

export type { WarningColour };
/**
 * Lowest first, as `WARNING_COLOURS` in @hazardwatch/contracts (a test checks they are equal).
 * Copied rather than imported so the bundle does not pull the contracts' runtime schemas in.
 */
export const COLOURS = ['blue', 'yellow', 'orange', 'red'] as const satisfies readonly WarningColour[];
/** Highest first: legends, counts and the alarm console read top-down from red. */
export const COLOURS_DESC: readonly WarningColour[] = [...COLOURS].reverse();

/** 0 = normal, 1 blue … 4 red. */
export function colourRank(c: WarningColour | null | undefined): number {
  return c === null || c === undefined ? 0 : COLOURS.indexOf(c) + 1;
}

export function worstColour(colours: Iterable<WarningColour | null | undefined>): WarningColour | null {
  let worst: WarningColour | null = null;
  for (const c of colours) if (colourRank(c) > colourRank(worst)) worst = c ?? null;
  return worst;
}

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
