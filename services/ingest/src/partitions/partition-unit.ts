import type { Logger } from 'pino';
import type { Clock } from '@hazardwatch/kit';
import { EvaluationEngine, type AlarmSettings, type SiteIndex, type WarningRecord } from '@hazardwatch/core';
import { WarningRepository, type NotificationOutbox, type SqlClient } from '@hazardwatch/store';
import { AlarmEngine } from '../alarm-engine.js';
import type { DurableWork, ReadingObserver } from '../ingest-pipeline.js';
import type { DeliveryRoutes } from '../notify/delivery-routing.js';
import { restoreEvaluators } from './evaluator-restore.js';
import { PartitionAlarmRepository, type PartitionOwnership } from './partition-alarm-repository.js';
import { partitionOf } from './partition-hash.js';

export interface PartitionUnitDeps {
  readonly partition: number;
  /** Which partitions the worker holds now and at which epoch (PartitionKeeper). */
  readonly ownership: PartitionOwnership;
  readonly index: SiteIndex;
  readonly settings: AlarmSettings;
  readonly client: SqlClient;
  readonly outbox: NotificationOutbox;
  readonly routes?: DeliveryRoutes;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Joins the unit's alarm persistence to the ingest batch that caused it (pipeline.attach). */
  readonly joinBatch: (work: DurableWork) => void;
}

/**
 * The evaluation state of one partition in the worker that holds it (issue #23): its enterprises'
 * evaluators (delays, deadbands, rate-of-change windows, staleness clocks) and its alarm engine,
 * whose store sees and writes only this partition's alarm state, every write fenced with the
 * partition's epoch. Built at a takeover and restored from the database; dropped — never cleared —
 * when the partition is lost, so nothing of another worker's partition is ever closed from here.
 * Partition 0's unit also holds the platform alarms.
 */
export class PartitionUnit implements ReadingObserver {
  readonly partition: number;
  /** The enterprise codes of the site in this partition. */
  readonly enterprises: ReadonlySet<string>;
  readonly alarms: AlarmEngine;
  readonly evaluation: EvaluationEngine;
  readonly repository: PartitionAlarmRepository;
  readonly #deps: PartitionUnitDeps;

  constructor(deps: PartitionUnitDeps) {
    this.#deps = deps;
    const { partition, index, ownership } = deps;
    this.partition = partition;
    this.enterprises = new Set(
      index.site.enterprises
        .map((e) => e.code)
        .filter((code) => partitionOf(code, ownership.count) === partition),
    );
    // This unit's store knows only this partition: its restore reads, and its writes are fenced with, nothing else.
    const own: PartitionOwnership = {
      count: ownership.count,
      epochOf: (p) => (p === partition ? ownership.epochOf(p) : undefined),
    };
    this.repository = new PartitionAlarmRepository(deps.client, own, (id) => index.pointById(id)?.enterprise);
    const enterprises = this.enterprises;
    this.alarms = new AlarmEngine({
      settings: deps.settings,
      index,
      logger: deps.logger.child({ partition }),
      now: () => deps.clock.now(),
      timers: deps.clock,
      client: deps.client,
      alarms: this.repository,
      warnings: new PartitionWarningRepository(deps.client, (r) => enterprises.has(r.enterprise)),
      outbox: deps.outbox,
      ...(deps.routes ? { routes: deps.routes } : {}),
      joinBatch: deps.joinBatch,
    });
    this.evaluation = new EvaluationEngine({
      sink: this.alarms,
      points: index.points().filter((p) => this.enterprises.has(p.enterprise)),
      gateways: index.site.gateways.filter((g) => this.enterprises.has(g.enterprise)),
    });
  }

  /**
   * At each takeover: loads the partition's open alarms and 预警 from the database, then rebuilds
   * its evaluators' short-term state (delays, deadbands, rate windows, staleness clocks) from the
   * readings the previous owner stored (evaluator-restore.ts), so that a pending on-delay completes
   * when it would have and nothing already announced is announced twice. Before the first tick.
   */
  async restore(): Promise<{ alarms: number; warnings: number; points: number; readings: number }> {
    const restored = await this.alarms.restore();
    const { client, index, clock } = this.#deps;
    const replayed = await restoreEvaluators({
      client,
      engine: this.evaluation,
      points: index.points().filter((p) => p.enabled && this.enterprises.has(p.enterprise)),
      enterprises: [...this.enterprises],
      nowMs: clock.now(),
    });
    return { ...restored, points: replayed.points, readings: replayed.readings };
  }

  observe(pointId: number, ts: number, value: number, quality: number): void {
    this.evaluation.observe(pointId, ts, value, quality);
  }

  /** Staleness, delays and the alarm engine's timed steps. */
  tick(nowMs: number): void {
    this.evaluation.tick(nowMs);
    this.alarms.tick(nowMs);
  }
}

/** Open 预警 of one partition's enterprises only (the restore at a takeover). */
class PartitionWarningRepository extends WarningRepository {
  constructor(
    client: SqlClient,
    private readonly wanted: (record: WarningRecord) => boolean,
  ) {
    super(client);
  }

  override async openRecords(): Promise<WarningRecord[]> {
    return (await super.openRecords()).filter(this.wanted);
  }
}
