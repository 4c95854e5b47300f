import type { Logger } from 'pino';
import type { Clock } from '@hazardwatch/kit';
import { EvaluationEngine, type AlarmSettings, type SiteIndex, type WarningRecord } from '@hazardwatch/core';
import {
  WarningRepository,
  type GatewayStatusRecord,
  type NotificationOutbox,
  type SqlClient,
} from '@hazardwatch/store';
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
  /** Told the stored state of the partition's gateways at each restore (the worker's presence). */
  readonly restoredGateways?: (stored: readonly GatewayStatusRecord[]) => void;
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
  readonly alarms: AlarmEngine;
  readonly evaluation: EvaluationEngine;
  readonly repository: PartitionAlarmRepository;
  readonly #deps: PartitionUnitDeps;
  #index: SiteIndex;
  #enterprises: ReadonlySet<string>;
  /**
   * The enterprise of every point this unit has known, across site versions: a point's id is
   * issued for one enterprise and tag, so this only grows, and an alarm of a point an edit removed
   * is still placed (and fenced) in its partition when its return to normal is written.
   */
  readonly #pointEnterprise = new Map<number, string>();

  constructor(deps: PartitionUnitDeps) {
    this.#deps = deps;
    const { partition, index, ownership } = deps;
    this.partition = partition;
    this.#index = index;
    this.#enterprises = this.#enterprisesOf(index);
    this.#learnPoints(index);
    // This unit's store knows only this partition: its restore reads, and its writes are fenced with, nothing else.
    const own: PartitionOwnership = {
      count: ownership.count,
      epochOf: (p) => (p === partition ? ownership.epochOf(p) : undefined),
    };
    this.repository = new PartitionAlarmRepository(deps.client, own, (id) => this.#pointEnterprise.get(id));
    this.alarms = new AlarmEngine({
      settings: deps.settings,
      index,
      logger: deps.logger.child({ partition }),
      now: () => deps.clock.now(),
      timers: deps.clock,
      client: deps.client,
      alarms: this.repository,
      warnings: new PartitionWarningRepository(deps.client, (r) => this.#enterprises.has(r.enterprise)),
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

  /** The enterprise codes of the site in force in this partition. */
  get enterprises(): ReadonlySet<string> {
    return this.#enterprises;
  }

  /**
   * A site put in force (issue #23 item 4): the unit now serves the partition's enterprises of
   * `index` — an enterprise the edit adds is evaluated from its first reading, one removed has its
   * points' active conditions returned to normal (EvaluationEngine.reconfigure); points and
   * gateways that remain keep their state. Call before the alarm engine's replaceSite, and before
   * PartitionSessions.refresh() subscribes the added enterprises, so that nothing of theirs arrives
   * before the unit knows their points.
   */
  reconfigure(index: SiteIndex): { added: string[]; removed: string[] } {
    const before = this.#enterprises;
    const next = this.#enterprisesOf(index);
    this.#learnPoints(index);
    this.#index = index;
    this.#enterprises = next;
    this.evaluation.reconfigure(
      index.points().filter((p) => next.has(p.enterprise)),
      index.site.gateways.filter((g) => next.has(g.enterprise)),
    );
    return {
      added: [...next].filter((e) => !before.has(e)),
      removed: [...before].filter((e) => !next.has(e)),
    };
  }

  #enterprisesOf(index: SiteIndex): ReadonlySet<string> {
    const { partition, ownership } = this.#deps;
    return new Set(
      index.site.enterprises
        .map((e) => e.code)
        .filter((code) => partitionOf(code, ownership.count) === partition),
    );
  }

  #learnPoints(index: SiteIndex): void {
    for (const p of index.points()) this.#pointEnterprise.set(p.id, p.enterprise);
  }

  /**
   * At each takeover: loads the partition's open alarms and 预警 from the database, then rebuilds
   * its evaluators' short-term state (delays, deadbands, rate windows, staleness clocks) from the
   * readings the previous owner stored (evaluator-restore.ts), so that a pending on-delay completes
   * when it would have and nothing already announced is announced twice. Before the first tick.
   */
  async restore(): Promise<{
    alarms: number;
    warnings: number;
    points: number;
    readings: number;
    alarmsMs: number;
    replayMs: number;
    replaySteps: { windowsMs: number; newestMs: number; gatewaysMs: number; replayMs: number };
  }> {
    const { client, clock } = this.#deps;
    const startedAt = clock.now();
    const restored = await this.alarms.restore();
    // Before the replay: conditions the book holds active start raised (EvaluationEngine.holdActive).
    this.evaluation.holdActive(this.alarms.heldConditions());
    const replayAt = clock.now();
    const replayed = await restoreEvaluators({
      client,
      engine: this.evaluation,
      points: this.#index.points().filter((p) => p.enabled && this.#enterprises.has(p.enterprise)),
      enterprises: [...this.enterprises],
      nowMs: clock.now(),
    });
    this.#deps.restoredGateways?.(replayed.gateways);
    return {
      ...restored,
      points: replayed.points,
      readings: replayed.readings,
      alarmsMs: replayAt - startedAt,
      replayMs: clock.now() - replayAt,
      replaySteps: replayed.timings,
    };
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
