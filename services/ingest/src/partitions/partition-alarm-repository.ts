import { parseSourceKey } from '@hazardwatch/contracts';
import type { AlarmRecord, AlarmSource, ColourChange } from '@hazardwatch/core';
import { AlarmRepository, asStaleLease, type AlarmWrite, type SqlClient } from '@hazardwatch/store';
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

  /**
   * Fenced always. A step of the alarm engine without alarm rows (a 预警 action: 签收, 处置反馈)
   * still calls this inside its transaction: the fence then runs alone there, so the 预警 rows
   * written beside it are refused with it.
   */
  override async write(batch: AlarmWrite, tx?: SqlClient, fence?: LeaseFence): Promise<ColourChange[]> {
    const f = fence ?? this.fenceOf(batch);
    if (
      batch.alarms.length > 0 ||
      batch.events.length > 0 ||
      batch.colourChanges.length > 0 ||
      batch.regionRollup !== undefined
    )
      return super.write(batch, tx, f);
    if (!tx) return [];
    await tx
      .query('SELECT hw_lease_fence($1::int[], $2::bigint[])', [f.partitions, f.epochs])
      .catch((error: unknown) => {
        throw asStaleLease(error, f);
      });
    return [];
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
    // Nothing names a partition (colour changes alone, a 预警 step): fenced by every partition held
    // — for one partition's unit, its own.
    if (partitions.size === 0)
      for (let p = 0; p < this.ownership.count; p++)
        if (this.ownership.epochOf(p) !== undefined) partitions.add(p);
    if (partitions.size === 0)
      throw ingestErrors.create('HW_INGEST_PARTITION_NOT_OWNED', { partitions: 'any' });
    const list = [...partitions].sort((a, b) => a - b);
    const epochs = list.map((p) => this.ownership.epochOf(p));
    const missing = list.filter((_, i) => epochs[i] === undefined);
    if (missing.length > 0)
      throw ingestErrors.create('HW_INGEST_PARTITION_NOT_OWNED', { partitions: missing.join(',') });
    return { partitions: list, epochs: epochs as number[] };
  }
}
