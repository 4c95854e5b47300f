import { parseSourceKey } from '@hazardwatch/contracts';
import type { AlarmRecord, AlarmSource } from '@hazardwatch/core';
import { AlarmRepository, type AlarmWrite, type SqlClient } from '@hazardwatch/store';
import { ingestErrors } from '../errors.js';
import { partitionOf } from './partition-hash.js';

/** The epochs a write is fenced with (the store's LeaseFence). */
type LeaseFence = NonNullable<Parameters<AlarmRepository['write']>[2]>;

/** Which partitions a worker holds now, and at which epoch (PartitionKeeper). */
export interface PartitionOwnership {
  /** Partitions 0 … count − 1. */
  readonly count: number;
  /** The epoch the partition is held at now; undefined when not held (or past its local deadline). */
  epochOf(partition: number): number | undefined;
}

/**
 * The alarm store of one leased worker (issue #23): reads and writes only the alarm state of the
 * partitions it holds. `openAlarms` (the restore at start and at each takeover) returns the open
 * alarms of the given partitions; every `write` carries the epochs of the partitions its alarms
 * belong to, so the database refuses it once another worker has taken one of them over
 * (HW_STORE_LEASE_STALE), and a write for a partition not held now is refused here
 * (HW_INGEST_PARTITION_NOT_OWNED). Platform alarms (no enterprise) belong to partition 0.
 */
export class PartitionAlarmRepository extends AlarmRepository {
  constructor(
    client: SqlClient,
    private readonly ownership: PartitionOwnership,
    /** The enterprise of a point (from the site in force); undefined for a point the site lacks. */
    private readonly enterpriseOfPoint: (pointId: number) => string | undefined,
  ) {
    super(client);
  }

  /** The partition an alarm source belongs to; undefined for a point the site lacks. */
  partitionOf(source: AlarmSource): number | undefined {
    const { count } = this.ownership;
    if (source.kind === 'platform') return 0;
    const enterprise = source.kind === 'gateway' ? source.enterprise : this.enterpriseOfPoint(source.pointId);
    return enterprise === undefined ? undefined : partitionOf(enterprise, count);
  }

  /** Open alarms of the partitions held now (all of them: a takeover's restore filters by partition). */
  override async openAlarms(): Promise<AlarmRecord[]> {
    return this.openAlarmsOf((p) => this.ownership.epochOf(p) !== undefined);
  }

  /** Open alarms whose partition passes `wanted`. */
  async openAlarmsOf(wanted: (partition: number) => boolean): Promise<AlarmRecord[]> {
    const all = await super.openAlarms();
    return all.filter((a) => {
      const p = this.partitionOf(a.source);
      return p !== undefined && wanted(p);
    });
  }

  override async write(batch: AlarmWrite, tx?: SqlClient, fence?: LeaseFence): Promise<void> {
    return super.write(batch, tx, fence ?? this.fenceOf(batch));
  }

  /** The epochs of the partitions a batch touches; refused when one is not held now. */
  fenceOf(batch: AlarmWrite): LeaseFence {
    const partitions = new Set<number>();
    for (const a of batch.alarms) {
      const p = this.partitionOf(a.source);
      if (p !== undefined) partitions.add(p);
    }
    for (const e of batch.events) {
      const source = parseSourceKey(e.sourceKey);
      if (!source) continue;
      const p = this.partitionOf(
        source.type === 'point'
          ? { kind: 'point', pointId: source.pointId }
          : source.type === 'gateway'
            ? { kind: 'gateway', enterprise: source.enterprise, gateway: source.gateway }
            : { kind: 'platform', component: source.component, name: source.name },
      );
      if (p !== undefined) partitions.add(p);
    }
    // Colour changes alone (a roll-up step) are fenced by the partition 0 lease: one writer.
    if (partitions.size === 0) partitions.add(0);
    const list = [...partitions].sort((a, b) => a - b);
    const epochs = list.map((p) => this.ownership.epochOf(p));
    const missing = list.filter((_, i) => epochs[i] === undefined);
    if (missing.length > 0)
      throw ingestErrors.create('HW_INGEST_PARTITION_NOT_OWNED', { partitions: missing.join(',') });
    return { partitions: list, epochs: epochs as number[] };
  }
}
