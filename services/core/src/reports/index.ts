/** Duty reports (日报 / 周报 / 月报, issue #21; docs/reports.md): periods in China time and the figures. */
export {
  CHINA_OFFSET_MS,
  chinaDay,
  parseReportDate,
  reportPeriod,
  type ReportPeriod,
  type ReportPeriodKind,
} from './report-period.js';
export {
  REPORT_TOP_SOURCES,
  reportAlarms,
  type ReportAlarmGroup,
  type ReportAlarms,
  type ReportAlarmSource,
  type ReportColourCounts,
  type ReportEnterpriseAlarms,
} from './report-alarms.js';
export {
  REPORT_OVERDUE_LISTED,
  reportWarnings,
  type ReportOverdueWarning,
  type ReportWarningCounts,
  type ReportWarningInput,
  type ReportWarnings,
} from './report-warnings.js';
export {
  reportOnline,
  unionMs,
  type ReportEnterpriseOnline,
  type ReportGatewayInput,
  type ReportGatewayOnline,
  type ReportLoss,
  type ReportOnline,
  type ReportOfflineEvent,
} from './report-online.js';
export {
  reportOutOfService,
  type ReportDisabledPoint,
  type ReportOutOfServicePoint,
} from './report-out-of-service.js';
