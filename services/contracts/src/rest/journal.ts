/**
 * The alarm journal (issue #21; docs/journal.md): every alarm event — each ISA-18.2 state change,
 * acknowledgement, shelving and comment, as stored append-only in `alarm_events` — over a time
 * range, filtered and sorted, with the names, unit and hazard a person reads it by. Exported as
 * CSV or Excel (`format=csv|xlsx`), like the live console's filtered list.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  AlarmConditionSchema,
  AlarmStateSchema,
  Ms,
  Nullable,
  OneOf,
  PageSchema,
  WarningColourSchema,
} from './shapes.js';

/** Columns the journal sorts by (`sort`), each with `dir=asc|desc`; ties go by event order. */
export const JOURNAL_SORTS = ['ts', 'colour', 'state', 'condition', 'enterprise', 'tag', 'value'] as const;
export type JournalSort = (typeof JOURNAL_SORTS)[number];
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** Export formats of the journal and of the console's list. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Languages of an export's column headers (`lang`, else Accept-Language; zh-CN by default). */
export const EXPORT_LANGUAGES = ['zh-CN', 'en'] as const;
export type ExportLanguage = (typeof EXPORT_LANGUAGES)[number];

/** Longest range one journal request reads: 31 days (a month's journal, the regulator's report). */
export const JOURNAL_MAX_RANGE_DAYS = 31;
/** Deepest row a page may reach (offset + limit): past it, narrow the range or the filters. */
export const JOURNAL_MAX_PAGE_ROWS = 10_000;
/** Most rows one export writes; more is refused (400) before anything is written. */
export const JOURNAL_MAX_EXPORT_ROWS = 50_000;

/** One alarm event with what it is about, as the journal lists it. */
export const JournalEntrySchema = Type.Object({
  /** The event's id (ascending in the order events were stored). */
  id: Type.String(),
  alarmId: Type.String(),
  ts: Ms('when it happened (source time for a late event), ms since epoch, UTC'),
  /** The same time as ISO 8601 with its offset (China time, +08:00). */
  at: Type.String(),
  from: AlarmStateSchema,
  to: AlarmStateSchema,
  condition: AlarmConditionSchema,
  colour: Nullable(WarningColourSchema),
  /** Who did it: a username, or `system` for the engine. */
  actor: Type.String(),
  reason: Nullable(Type.String()),
  /** The reading that caused it, in `unit`. */
  value: Nullable(Type.Number()),
  /** The alarm's limit in `unit` (process limit; slope or timeout for rate and staleness alarms). */
  limit: Nullable(Type.Number()),
  unit: Nullable(Type.String()),
  late: Type.Boolean(),
  enterprise: Nullable(Type.String()),
  enterpriseName: Nullable(Type.String()),
  hazard: Nullable(Type.String()),
  hazardName: Nullable(Type.String()),
  pointId: Nullable(Type.Integer()),
  tag: Nullable(Type.String()),
  pointName: Nullable(Type.String()),
  gateway: Nullable(Type.String()),
});
export type JournalEntry = Static<typeof JournalEntrySchema>;
export const JournalPageSchema = PageSchema(JournalEntrySchema);
export type JournalPage = Static<typeof JournalPageSchema>;

/** Query parameter schemas of the journal and export routes. */
export const JournalSortSchema = OneOf(JOURNAL_SORTS);
export const SortDirectionSchema = OneOf(SORT_DIRECTIONS);
export const ExportFormatSchema = OneOf(EXPORT_FORMATS);
export const ExportLanguageSchema = OneOf(EXPORT_LANGUAGES);
