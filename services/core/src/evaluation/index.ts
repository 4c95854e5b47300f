/**
 * Alarm-condition evaluation (REFERENCE §6, §7, §8 items 13, 14, 18): limits with deadband and
 * delays, rate of change, staleness and gateway loss, sensor faults, composed by EvaluationEngine.
 */
export {
  EvaluationEngine,
  RECENT_LIVE_SAMPLES,
  type EvaluationCounters,
  type EvaluationEngineOptions,
  type ReadingColumns,
  type ReplayedGateway,
  type HeldCondition,
  type ReplaySummary,
} from './evaluation-engine.js';
export { REPLAY_MAXIMUM_MS, replayNeedMs, replayWindowMs } from './replay-window.js';
export { POINT_CONDITIONS, type PointCondition } from './condition-ledger.js';
export type { EvaluatedGateway, EvaluatedPoint } from './evaluated-point.js';
export type { ReportedSource } from './gateway-faults.js';
