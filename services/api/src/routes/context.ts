import type { DegradedJob, LiveStatus } from '@hazardwatch/contracts';
import type { ColourPolicy, SiteIndex, WarningPolicy } from '@hazardwatch/core';
import type {
  AlarmRepository,
  AuditRepository,
  SqlClient,
  StoreDialect,
  UserRepository,
  WarningRepository,
} from '@hazardwatch/store';
import type { AuthorityTable } from '../access/authority.js';
import type { AlarmControl } from '../alarm-control.js';
import type { Auditor } from '../audit.js';
import type { AuthService } from '../auth/auth-service.js';
import type { ApiSettings } from '../config.js';
import type { ApiMetrics } from '../http/metrics.js';
import type { MonitoringChanges } from '../monitoring-changes.js';
import type { SiteWriter } from '../site-writer.js';

/** Where the API gets the current site model; the CLI swaps it when a new site is imported. */
export interface SiteSource {
  current(): SiteIndex | undefined;
  /** Called after `PUT /api/v1/site` stored a new valid site model. */
  replaced?(site: { readonly index: SiteIndex; readonly version: number }): void;
}

/** What route modules share; built once by `buildApiApp`. */
export interface RouteContext {
  readonly settings: ApiSettings;
  readonly client: SqlClient;
  readonly dialect: StoreDialect;
  readonly siteSource: SiteSource;
  readonly site: () => SiteIndex | undefined;
  readonly now: () => number;
  readonly auth: AuthService;
  readonly users: UserRepository;
  readonly alarms: AlarmRepository;
  readonly warnings: WarningRepository;
  readonly auditor: Auditor;
  readonly auditRepository: AuditRepository;
  readonly metrics: ApiMetrics;
  readonly alarmControl: AlarmControl | undefined;
  readonly colourPolicy: ColourPolicy;
  /** The compiled 预警 policy (closing rules, deadlines) the engine runs: the 预警 record's. */
  readonly warningPolicy: WarningPolicy;
  /** Who may do what (issue #19): the defaults with the configured overrides. */
  readonly authority: AuthorityTable;
  /** Monitoring-change records (issue #19 item 2): written, decided, pushed live. */
  readonly changes: MonitoringChanges;
  /** Per-entity site writes, one at a time (site edits and approved changes alike). */
  readonly siteWriter: SiteWriter;
  readonly readiness: Readonly<Record<string, () => boolean | Promise<boolean>>>;
  /** TimescaleDB jobs not healthy, from an ingest in this process; absent elsewhere. */
  readonly degradedJobs?: () => readonly DegradedJob[];
  /** Live push now (AppDeps.liveStatus). */
  readonly liveStatus?: () => LiveStatus | undefined;
}

export const API = '/api/v1';
