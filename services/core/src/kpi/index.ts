/** ISA-18.2 alarm-system KPIs over stored alarm events (REFERENCE §7, §8 item 19). */
export {
  ACTIVATION_FROM_STATES,
  ANNUNCIATION_FROM_STATES,
  isAlarmActivation,
  isAlarmAnnunciation,
} from './alarm-annunciation.js';
export { countAlarmIntervals, type KpiIntervalStats, type KpiRange } from './alarm-intervals.js';
export { findFloodEpisodes, type KpiFloodEpisode, type KpiFloodStats } from './flood-episodes.js';
export { topAlarmSources, type KpiSourceCount, type KpiTopAlarm, type KpiTopAlarms } from './top-alarms.js';
export {
  findChatteringAlarms,
  type KpiActivationSeries,
  type KpiChatteringAlarm,
} from './chattering-alarms.js';
export { findStaleAlarms, type KpiStaleAlarm } from './stale-alarms.js';
export { alarmPriorityMix, type KpiPriorityMix } from './priority-mix.js';
export {
  DEFAULT_KPI_TARGETS,
  KPI_ALERT_CODES,
  KPI_TARGET_IDS,
  type KpiAlert,
  type KpiAlertCode,
  type KpiTargetCheck,
  type KpiTargetId,
  type KpiTargets,
} from './kpi-targets.js';
export { kpiErrors, type KpiError, type KpiErrorCode } from './kpi-errors.js';
export {
  KPI_RECOMMENDED_PERIOD_MS,
  alarmKpiReport,
  type AlarmKpiOptions,
  type AlarmKpiReport,
} from './alarm-kpi-report.js';
export { onlineRate, type KpiDataLoss, type KpiGatewayOnline, type KpiOnlineRate } from './online-rate.js';
