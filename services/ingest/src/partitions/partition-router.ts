import type { ReportedSource } from '@hazardwatch/core';
import type { GatewayEvaluator } from '../gateway-fault-relay.js';
import type { ReadingObserver } from '../ingest-pipeline.js';
import { partitionOf } from './partition-hash.js';

/** What the router hands work to: one partition's evaluation (PartitionUnit). */
export interface RoutedUnit {
  readonly partition: number;
  observe(pointId: number, ts: number, value: number, quality: number): void;
  tick(nowMs: number): void;
  readonly evaluation: GatewayEvaluator;
}

/**
 * The one observer a leased worker's pipeline has (issue #23): each accepted reading, gateway
 * status and presence change goes to the unit of its enterprise's partition, and the alarm tick to
 * every unit. A partition without a unit here (lost, or not yet restored) gets nothing: what
 * arrives for it is counted in `unrouted`, never evaluated by a worker that does not hold it.
 */
export class PartitionRouter implements ReadingObserver, GatewayEvaluator {
  private readonly units = new Map<number, RoutedUnit>();
  /** Readings and gateway messages that arrived for a partition without a unit here. */
  unrouted = 0;

  constructor(
    private readonly count: number,
    /** The enterprise of a point (site in force); undefined for a point the site lacks. */
    private readonly enterpriseOfPoint: (pointId: number) => string | undefined,
  ) {}

  /** Routes the unit's partition to it (after its restore). */
  attach(unit: RoutedUnit): void {
    this.units.set(unit.partition, unit);
  }

  /** Stops routing to the partition at once (its lease is lost or handed over). */
  detach(partition: number): void {
    this.units.delete(partition);
  }

  unitOf(enterprise: string): RoutedUnit | undefined {
    const unit = this.units.get(partitionOf(enterprise, this.count));
    if (!unit) this.unrouted++;
    return unit;
  }

  observe(pointId: number, ts: number, value: number, quality: number): void {
    const enterprise = this.enterpriseOfPoint(pointId);
    if (enterprise === undefined) {
      this.unrouted++;
      return;
    }
    this.unitOf(enterprise)?.observe(pointId, ts, value, quality);
  }

  tick(nowMs: number): void {
    for (const unit of this.units.values()) unit.tick(nowMs);
  }

  gatewayOnline(enterprise: string, gateway: string, ts: number): boolean {
    return this.unitOf(enterprise)?.evaluation.gatewayOnline(enterprise, gateway, ts) ?? false;
  }

  gatewayOffline(enterprise: string, gateway: string, ts: number): boolean {
    return this.unitOf(enterprise)?.evaluation.gatewayOffline(enterprise, gateway, ts) ?? false;
  }

  gatewaySources(
    enterprise: string,
    gateway: string,
    sources: readonly ReportedSource[],
    ts: number,
  ): boolean {
    return this.unitOf(enterprise)?.evaluation.gatewaySources(enterprise, gateway, sources, ts) ?? false;
  }

  gatewayDataLoss(enterprise: string, gateway: string, readings: number, ts: number): boolean {
    return this.unitOf(enterprise)?.evaluation.gatewayDataLoss(enterprise, gateway, readings, ts) ?? false;
  }

  /** The partitions routed now. */
  partitions(): number[] {
    return [...this.units.keys()].sort((a, b) => a - b);
  }
}
