/**
 * Annunciated priority distribution by 预警 colour. ISA-18.2 / EEMUA 191 (REFERENCE §7): about
 * 80 % low, 15 % medium, 5 % high, highest < 1 %. Our mapping: blue = low, yellow = medium,
 * orange = high, red = highest.
 */
import { WARNING_COLOURS, type WarningColour } from '@hazardwatch/contracts';

export interface KpiPriorityMix {
  readonly counts: Readonly<Record<WarningColour, number>>;
  /** Annunciations the colour lookup did not know; excluded from the shares. */
  readonly unknown: number;
  /** Share of coloured annunciations, percent. */
  readonly sharePct: Readonly<Record<WarningColour, number>>;
}

export function alarmPriorityMix(
  alarmIds: readonly string[],
  colourOf: (alarmId: string) => WarningColour | undefined,
): KpiPriorityMix {
  const counts: Record<WarningColour, number> = { blue: 0, yellow: 0, orange: 0, red: 0 };
  let unknown = 0;
  for (const id of alarmIds) {
    const c = colourOf(id);
    if (c !== undefined && Object.prototype.hasOwnProperty.call(counts, c)) counts[c]++;
    else unknown++;
  }
  const known = alarmIds.length - unknown;
  const sharePct = {} as Record<WarningColour, number>;
  for (const c of WARNING_COLOURS) sharePct[c] = known === 0 ? 0 : (counts[c] / known) * 100;
  return Object.freeze({ counts: Object.freeze(counts), unknown, sharePct: Object.freeze(sharePct) });
}
