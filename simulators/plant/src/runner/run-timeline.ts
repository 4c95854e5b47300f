/**
 * What a scenario run did, for the verifier and for people: when each incident started and ended
 * in simulated time (ms UTC, the clock of the readings' timestamps) and in wall time (the clock
 * the platform judges staleness and gateway loss by). In real-time mode both advance together;
 * in fast-forward mode simulated time runs ahead of the wall clock's pace.
 */
import type { FleetCounters } from '../mqtt-fleet.js';
import type { IncidentType, RunMode } from '../scenario/scenario-schema.js';

export interface IncidentRecord {
  readonly id: string;
  readonly type: IncidentType;
  readonly enterprise: string;
  /** Simulated ms UTC. */
  readonly startMs: number;
  readonly endMs: number | undefined;
  /** Wall-clock ms UTC when the runner put it into effect. */
  readonly startWallMs: number;
  readonly endWallMs: number | undefined;
}

export interface IncidentEvent {
  readonly id: string;
  readonly type: IncidentType;
  readonly phase: 'start' | 'end';
  /** Simulated ms UTC. */
  readonly simMs: number;
  readonly wallMs: number;
}

export interface RunTimeline {
  readonly scenario: string;
  readonly mode: RunMode;
  readonly seed: number | string;
  /** Simulated time 0, ms UTC. */
  readonly epochMs: number;
  /** Simulated ms UTC of the last tick. */
  readonly endMs: number;
  readonly startedWallMs: number;
  /** Wall time of the last tick (before the fleet's clean stop). */
  readonly endedWallMs: number;
  readonly ticks: number;
  readonly incidents: readonly IncidentRecord[];
  readonly counters: FleetCounters;
}
