/** Sanity checks on a persisted open-warning record before the desk takes it back. Internal. */
import { isWarningColour } from '@hazardwatch/contracts';
import { ESCALATION_LEVELS, type WarningRecord } from './warning-types.js';

const OPEN_STATES: readonly string[] = ['pushed', 'signed', 'feedback', 'verified'];
const LEVELS: readonly string[] = ESCALATION_LEVELS;

/** Why the record cannot be loaded, or null when it can. */
export function checkLoadable(
  record: WarningRecord,
  open: ReadonlyMap<string, WarningRecord>,
  subjectTaken: boolean,
): string | null {
  if (typeof record.id !== 'string' || record.id === '') return 'it has no id';
  if (open.has(record.id)) return 'a warning with this id is already open';
  if (subjectTaken) return 'its subject already has an open warning';
  if (!OPEN_STATES.includes(record.state)) return `state "${String(record.state)}" is not an open state`;
  if (!isWarningColour(record.colour)) return `colour "${String(record.colour)}" is not a 预警 colour`;
  if (!LEVELS.includes(record.level)) return `level "${String(record.level)}" is unknown`;
  for (const key of ['openedAt', 'timerStartMs', 'updatedAt'] as const)
    if (!Number.isFinite(record[key])) return `${key} is not a finite time`;
  return null;
}
