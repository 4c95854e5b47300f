/** Builders of alarm events for the KPI tests. */
import type { AlarmCondition, AlarmEvent, AlarmState } from '@hazardwatch/contracts';

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const T0 = Date.UTC(2025, 5, 1, 0, 0, 0);

export function ev(
  pointId: number,
  from: AlarmState,
  to: AlarmState,
  ts: number,
  condition: AlarmCondition = 'H',
  alarmId = `a-${pointId}-${condition}`,
): AlarmEvent {
  return {
    alarmId,
    sourceKey: `point:${pointId}`,
    pointId,
    condition,
    from,
    to,
    ts,
    actor: 'system',
    reason: null,
    value: null,
  };
}

/** A new alarm: NORM → UNACK. */
export const raise = (pointId: number, ts: number, condition: AlarmCondition = 'H'): AlarmEvent =>
  ev(pointId, 'NORM', 'UNACK', ts, condition);

/** A gateway communication-loss event (no point). */
export const gatewayEv = (gateway: string, from: AlarmState, to: AlarmState, ts: number): AlarmEvent => ({
  alarmId: `g-${gateway}`,
  sourceKey: `gateway:E1/${gateway}`,
  pointId: null,
  condition: 'GATEWAY_OFFLINE',
  from,
  to,
  ts,
  actor: 'system',
  reason: null,
  value: null,
});
