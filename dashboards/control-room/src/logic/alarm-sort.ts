/**
 * Console order: highest colour first (ISA-18.2 priority), then newest first within a colour, so
 * the newest red alarm is always the top row. Ties break on id to keep the order stable between
 * refreshes (a list that shuffles under an operator's cursor invites the wrong acknowledgement).
 */
import { colourRank } from './colour.js';
import type { WarningColour } from '@hazardwatch/contracts';

export interface SortableAlarm {
  readonly id: string;
  readonly colour: WarningColour | null;
  readonly raisedAt: number;
}

export function compareAlarms(a: SortableAlarm, b: SortableAlarm): number {
  return (
    colourRank(b.colour) - colourRank(a.colour) ||
    b.raisedAt - a.raisedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function sortAlarms<T extends SortableAlarm>(alarms: Iterable<T>): T[] {
  return [...alarms].sort(compareAlarms);
}
