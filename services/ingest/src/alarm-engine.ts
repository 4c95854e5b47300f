import { randomUUID } from 'node:crypto';
import {
  colourRank,
  parseSourceKey,
  type AlarmCondition,
  type AlarmEvent,
  type WarningColour,
} from '@hazardwatch/contracts';
import {
  AlarmBook,
  NotificationGrouper,
  ColourRollup,
  siteColourOf,
  WarningDesk,
  type AlarmRecord,
  type AlarmSettings,
  type AlarmSource,
  type AlarmTarget,
  type BookUpdate,
  type ColourChange,
  type ColourPolicy,
  type ConditionChange,
  type ConditionSink,
  type HeldCondition,
  type OperatorRequest,
  type OutboundWarningNotification,
  type SiteIndex,
  type WarningActor,
  type WarningEvent,
  type WarningRecord,
  type WarningResult,
} from '@hazardwatch/core';
import {
  isRetryableStorageError,
  type AlarmRepository,
  type AlarmWrite,
  type EnterpriseColourState,
  type NotificationOutbox,
  type OutboxEnqueueItem,
  type SqlClient,
  type WarningRepository,
} from '@hazardwatch/store';
import type { Logger } from 'pino';
import { Backoff, systemClock, type Clock } from '@hazardwatch/kit';
import type { DurableWork } from './ingest-pipeline.js';
import {
  fireControlDeliveries,
  NO_ROUTES,
  warningDeliveries,
  type DeliveryRoutes,
} from './notify/delivery-routing.js';

/** Retry pacing of a unit storage refused for now: 200 ms doubling to 10 s, no jitter (one writer). */
const STORE_RETRY = { initialMs: 200, maxMs: 10_000, jitter: 'none' } as const;

/** One alarm change set (the unit of persistence): everything the engine produced between two flushes. */
interface AlarmChangeSet {
  readonly alarms: AlarmRecord[];
  readonly events: AlarmEvent[];
  /** Every level but region (region colours are rolled up in the database, `enterprises`). */
  readonly colourChanges: ColourChange[];
  /** The enterprises whose colour changed: their state after this unit (the region roll-up's input). */
  readonly enterprises: Map<string, EnterpriseColourState>;
  /** Regions to recompute although no enterprise of theirs changed colour (a site edit). */
  readonly regions: Set<string>;
  /** Latest time of the unit's enterprise changes, ms UTC (0: none): stamped on region changes. */
  rollupTs: number;
  readonly warningEvents: WarningEvent[];
  readonly notifications: OutboundWarningNotification[];
  /** Resolves once this unit is stored (or given up): the next unit waits for it. */
  readonly stored: Promise<void>;
  markStored(): void;
}

export interface AlarmEngineDeps {
  readonly index: SiteIndex;
  readonly logger: Logger;
  readonly now: () => number;
  readonly client: SqlClient;
  readonly alarms: AlarmRepository;
  readonly warnings: WarningRepository;
  readonly outbox: NotificationOutbox;
  /**
   * The configured channels as routing sees them: which deliveries (outbox rows) each 预警
   * notification and each fire-control-room alarm makes (docs/notifications.md).
   * @default NO_ROUTES (nothing sent; every recipient recorded as not reached)
   */
  readonly routes?: DeliveryRoutes;
  /**
   * Joins a persistence step to the ingest batch being processed (pipeline.attach): the batch is
   * acknowledged only once the alarm changes it caused are stored.
   */
  readonly joinBatch: (work: DurableWork) => void;
  /** Waits between retries of a unit storage refused for now. @default systemClock */
  readonly timers?: Pick<Clock, 'setTimeout'>;
  /**
   * The deployment's compiled alarm, colour and 预警 policies, and the lowest hazard colour that
   * opens a 预警: the same object the API computes its overviews with (core alarm-settings.ts).
   */
  readonly settings: AlarmSettings;
}

export interface AlarmEngineEvents {
  readonly alarmEvents: readonly AlarmEvent[];
  /**
   * Point, gateway, hazard and enterprise changes of this engine's roll-up, and the region changes
   * the database made from them (each with its `seq`, pushed by the one worker that stored it).
   */
  readonly colourChanges: readonly ColourChange[];
  readonly warningEvents: readonly WarningEvent[];
}

/**
 * Runs the pure alarm engine of @hazardwatch/core inside ingestion: condition changes from the
 * evaluators go through the ISA-18.2 alarm book, the four-colour roll-up and the 预警 desk; what
 * they produce is persisted as part of the ingest batch that caused it (before that batch's
 * messages are acknowledged), in order, in one transaction per unit, with notifications written
 * to the outbox in the same transaction. Listeners hear about events once they are stored.
 *
 * Region colours are not this engine's to decide: when the enterprises of a region are evaluated
 * by several workers (pinned or leased, docs/operations.md §5) its roll-up sees only its own. It
 * stores its enterprises' colours and the database rolls the regions up over every enterprise in
 * the same statement (store hw_region_colours); the region changes stored are the ones pushed.
 */
export class AlarmEngine implements ConditionSink {
  readonly book: AlarmBook;
  private colourRollup: ColourRollup;
  private warningDesk: WarningDesk;
  /** The site model in force; replaced by `replaceSite`. */
  private index: SiteIndex;
  private colourOf: (source: AlarmSource, condition: AlarmCondition) => WarningColour;
  private readonly colourPolicy: ColourPolicy;
  private readonly grouper = new NotificationGrouper();
  private readonly log: Logger;
  private current: AlarmChangeSet | undefined;
  private lastStored: Promise<void> = Promise.resolve();
  private readonly listeners: Array<(events: AlarmEngineEvents) => void> = [];
  private readonly openFrom: WarningColour;
  /** Units the database refused for good (not retried). */
  failedUnits = 0;

  constructor(private readonly deps: AlarmEngineDeps) {
    this.log = deps.logger.child({ component: 'alarm-host' });
    this.openFrom = deps.settings.openWarningsFrom;
    const colourPolicy = deps.settings.colourPolicy;
    this.colourPolicy = colourPolicy;
    this.index = deps.index;
    this.colourOf = siteColourOf(deps.index, colourPolicy);
    this.book = new AlarmBook({
      newId: () => randomUUID(),
      policy: deps.settings.alarmPolicy,
      // Through the field, so a replaced site model colours new alarms from then on.
      colourOf: (source, condition) => this.colourOf(source, condition),
    });
    this.colourRollup = new ColourRollup(deps.index, colourPolicy);
    this.warningDesk = this.newDesk(deps.index);
  }

  /** The four-colour roll-up over the site in force. */
  get rollup(): ColourRollup {
    return this.colourRollup;
  }

  /** The 预警 desk over the site in force. */
  get desk(): WarningDesk {
    return this.warningDesk;
  }

  /**
   * The site model changed (import or edit through the API), without a restart. Open alarms are
   * re-coloured where a hazard's level or a point's role changed, the roll-up is rebuilt over the
   * new hierarchy and only real colour differences are emitted (and may open or update 预警), and
   * open 预警 carry over. Call after the evaluation engine was reconfigured, so alarms of removed
   * or disabled points have already returned to normal.
   */
  replaceSite(index: SiteIndex): { recoloured: number; colourChanges: number } {
    const now = this.deps.now();
    this.index = index;
    this.colourOf = siteColourOf(index, this.colourPolicy);
    const changedAlarms: AlarmRecord[] = [];
    const events: AlarmEvent[] = [];
    for (const alarm of this.book.open()) {
      const colour = this.colourOf(alarm.source, alarm.condition);
      if (colour === alarm.colour) continue;
      const result = this.book.recolour(alarm.id, colour, now, 'site model changed');
      if (!result.ok) continue;
      changedAlarms.push(...result.value.alarms);
      events.push(...result.value.events);
    }
    const rollup = new ColourRollup(index, this.colourPolicy);
    rollup.apply(this.book.open(), now);
    const changes = ColourRollup.diff(this.colourRollup, rollup, now);
    this.colourRollup = rollup;
    const desk = this.newDesk(index);
    const carried = desk.load(this.warningDesk.openWarnings());
    for (const error of carried.errors) this.log.warn({ err: error }, 'open warning not carried over');
    this.warningDesk = desk;
    // Every coloured enterprise is stored again with its region chain in the new site: one moved
    // to another region leaves the old one (the database recomputes old and new chains).
    // (Those no longer coloured are among the changes.)
    const coloured = new Set(
      [...rollup.coloured(), ...changes].filter((n) => n.level === 'enterprise').map((n) => n.code),
    );
    if (changedAlarms.length > 0 || changes.length > 0 || coloured.size > 0) {
      const unit = this.openChangeSet();
      unit.alarms.push(...changedAlarms);
      unit.events.push(...events);
      this.gatherColourChanges(unit, changes);
      for (const code of coloured)
        unit.enterprises.set(code, this.enterpriseState(code, rollup.colour('enterprise', code)));
      for (const c of changes) if (c.level === 'region') unit.regions.add(c.code);
      unit.rollupTs = Math.max(unit.rollupTs, now);
      this.warnOnHazardChanges(changes, changedAlarms);
    }
    this.log.info({ recoloured: changedAlarms.length, colourChanges: changes.length }, 'site model replaced');
    return { recoloured: changedAlarms.length, colourChanges: changes.length };
  }

  private newDesk(index: SiteIndex): WarningDesk {
    return new WarningDesk(index, {
      policy: this.deps.settings.warningPolicy,
      newId: () => `wrn-${randomUUID()}`,
    });
  }

  /** Hears every unit once it is stored; returns a function that stops listening. */
  onStored(listener: (events: AlarmEngineEvents) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Reloads open alarms and warnings after a restart: no duplicate is raised for a condition
   * that is still active, and the roll-up starts from the stored state.
   */
  /**
   * The conditions of points that the book holds open and active (an alarm whose condition has
   * not returned), for EvaluationEngine.holdActive after a restore: the evaluators start from
   * what the plant last said rather than from normal.
   */
  heldConditions(): HeldCondition[] {
    return this.book
      .open()
      .flatMap((a) =>
        a.active && a.source.kind === 'point' ? [{ pointId: a.source.pointId, condition: a.condition }] : [],
      );
  }

  async restore(): Promise<{ alarms: number; warnings: number }> {
    const open = await this.deps.alarms.openAlarms();
    const loaded = this.book.load(open);
    if (!loaded.ok) throw loaded.error;
    this.rollup.apply(open, this.deps.now());
    const warnings: WarningRecord[] = await this.deps.warnings.openRecords();
    const restored = this.desk.load(warnings);
    for (const error of restored.errors) this.log.warn({ err: error }, 'stored warning not restored');
    await this.storeEnterpriseColours();
    this.log.info({ alarms: open.length, warnings: restored.loaded }, 'alarm state restored');
    return { alarms: open.length, warnings: restored.loaded };
  }

  /**
   * After a restore: the restored enterprises' colours, and their regions, stored again (a
   * database migrated to version 22 has no enterprise colours yet; a site edit made while this
   * worker was down may have moved an enterprise). Region changes this makes are pushed like any.
   * Best effort: the region colours are right again at the enterprise's next change if this fails,
   * and evaluation must not wait for it.
   */
  private async storeEnterpriseColours(): Promise<void> {
    const enterprises = this.rollup
      .coloured()
      .filter((n) => n.level === 'enterprise')
      .map((n) => this.enterpriseState(n.code, n.colour));
    if (enterprises.length === 0) return;
    try {
      const ts = this.deps.now();
      const colourChanges = await this.deps.alarms.write({
        alarms: [],
        events: [],
        colourChanges: [],
        regionRollup: { enterprises, regions: [], ts },
      });
      if (colourChanges.length === 0) return;
      for (const listener of this.listeners) listener({ alarmEvents: [], colourChanges, warningEvents: [] });
    } catch (err) {
      this.log.warn({ err, enterprises: enterprises.length }, 'enterprise colours not stored at restore');
    }
  }

  /** An enterprise's colour and its region chain in the site in force. */
  private enterpriseState(enterprise: string, colour: WarningColour | null): EnterpriseColourState {
    const e = this.index.enterprise(enterprise);
    const regions = e === undefined ? [] : this.index.regionChain(e.region).map((r) => r.code);
    return { enterprise, colour, regions };
  }

  /**
   * A roll-up's changes into a unit: region changes are left to the database (they would be this
   * worker's partial view); each enterprise change becomes the enterprise's state for it.
   */
  private gatherColourChanges(unit: AlarmChangeSet, changes: readonly ColourChange[]): void {
    for (const change of changes) {
      if (change.level === 'region') continue;
      unit.colourChanges.push(change);
      if (change.level !== 'enterprise') continue;
      unit.enterprises.set(change.code, this.enterpriseState(change.code, change.to));
      unit.rollupTs = Math.max(unit.rollupTs, change.ts);
    }
  }

  /** From the evaluators (ConditionSink). */
  change(change: ConditionChange): void {
    this.absorb(this.book.change(change), change.ts);
  }

  /**
   * Operator action (acknowledge, shelve, …), stamped with this host's clock; the result says why
   * a refused action was refused.
   */
  act(target: AlarmTarget, request: Omit<OperatorRequest, 'ts'>): ReturnType<AlarmBook['act']> {
    const now = this.deps.now();
    const result = this.book.act(target, { ...request, ts: now });
    if (result.ok) this.absorb(result.value, now);
    return result;
  }

  /** 签收: the enterprise's duty room signs for a 预警 (the desk refuses another side). */
  signWarning(warningId: string, actor: WarningActor): WarningResult {
    return this.warningAction(this.desk.sign(warningId, actor, this.deps.now()));
  }

  /** 处置反馈: handling feedback, text required. */
  feedbackWarning(warningId: string, actor: WarningActor, text: string): WarningResult {
    return this.warningAction(this.desk.feedback(warningId, actor, text, this.deps.now()));
  }

  /** 督办: a regulator's note and deadline (ms UTC, after now). */
  urgeWarning(warningId: string, actor: WarningActor, text: string, deadlineMs: number): WarningResult {
    return this.warningAction(this.desk.urge(warningId, actor, { text, deadlineMs }, this.deps.now()));
  }

  /** 核查: a regulator verifies the handling feedback. */
  verifyWarning(warningId: string, actor: WarningActor, text: string): WarningResult {
    return this.warningAction(this.desk.verify(warningId, actor, text, this.deps.now()));
  }

  /**
   * 消警 by the colour's closing rule (docs/warnings.md). Whether the cause is still active (then
   * the close needs a reason and is recorded as forced) is judged here, from the hazard's
   * rolled-up colour.
   */
  closeWarning(warningId: string, actor: WarningActor, reason?: string): WarningResult {
    const record = this.desk.get(warningId);
    const causeActive = record?.hazard
      ? this.rollup.colour('hazard', `${record.enterprise}/${record.hazard}`) !== null
      : false;
    return this.warningAction(
      this.desk.close(
        warningId,
        actor,
        { causeActive, ...(reason !== undefined ? { reason } : {}) },
        this.deps.now(),
      ),
    );
  }

  private warningAction(result: WarningResult): WarningResult {
    if (result.ok) this.absorbWarnings(result, this.deps.now());
    return result;
  }

  /** Timers: shelve expiry, re-alarm, 预警 deadlines and escalation, grouped notifications. */
  tick(nowMs: number): void {
    this.absorb(this.book.tick(nowMs), nowMs);
    this.absorbWarnings(this.desk.tick(nowMs), nowMs);
    const flushed = this.grouper.flush(nowMs);
    if (flushed.length > 0) this.openChangeSet().notifications.push(...flushed);
  }

  private absorb(update: BookUpdate, ts: number): void {
    if (update.events.length === 0 && update.alarms.length === 0) return;
    const unit = this.openChangeSet();
    unit.alarms.push(...update.alarms);
    unit.events.push(...update.events);
    for (const e of update.events) {
      // A late alarm (replayed readings) is a journal entry for the console, not a push: it does
      // not colour the roll-up either, so it opens no 预警 (docs/operations.md §8).
      if (e.to === 'UNACK' && (e.from === 'NORM' || e.from === 'RTNUN') && e.late !== true) {
        const enterprise = this.enterpriseOf(e);
        if (enterprise) this.grouper.recordAlarm(enterprise, e.ts);
      }
    }
    const rolled = this.rollup.apply(update.alarms, ts);
    this.gatherColourChanges(unit, rolled.changes);
    this.warnOnHazardChanges(rolled.changes, update.alarms);
  }

  /** 预警 are per major hazard: they go to its three responsible persons and its regulators. */
  private warnOnHazardChanges(changes: readonly ColourChange[], alarms: readonly AlarmRecord[]): void {
    for (const change of changes) {
      if (change.level !== 'hazard') continue;
      const [enterprise, hazard] = splitHazard(change.code);
      const subject = { enterprise, hazard };
      // 预警 run on the platform's clock, not on source timestamps: their deadlines measure how
      // fast people respond (and late or replayed data must not make a fresh warning overdue).
      const now = this.deps.now();
      if (this.desk.openWarningFor(subject) !== undefined) {
        this.absorbWarnings(this.desk.observe(subject, change.to, now), now);
      } else if (change.to !== null && colourRank(change.to) >= colourRank(this.openFrom)) {
        const causes = alarms
          .filter(
            (a) => a.source.kind === 'point' && this.index.pointById(a.source.pointId)?.hazard === hazard,
          )
          .map((a) => a.id);
        this.absorbWarnings(this.desk.open(subject, change.to, causes, now), now);
      }
    }
  }

  private absorbWarnings(result: WarningResult, nowMs: number): void {
    if (!result.ok) {
      this.log.warn({ err: result.error }, 'warning desk refused an engine update');
      return;
    }
    if (result.events.length === 0 && result.notifications.length === 0) return;
    const unit = this.openChangeSet();
    unit.warningEvents.push(...result.events);
    for (const n of result.notifications) unit.notifications.push(...this.grouper.push(n, nowMs));
  }

  private enterpriseOf(event: AlarmEvent): string | undefined {
    if (event.pointId !== null) return this.index.pointById(event.pointId)?.enterprise;
    const source = parseSourceKey(event.sourceKey);
    return source?.type === 'gateway' ? source.enterprise : undefined;
  }

  /** The unit being gathered; a new one is attached to the current ingest batch when needed. */
  private openChangeSet(): AlarmChangeSet {
    if (this.current) return this.current;
    let markStored!: () => void;
    const stored = new Promise<void>((resolve) => (markStored = resolve));
    const unit: AlarmChangeSet = {
      alarms: [],
      events: [],
      colourChanges: [],
      enterprises: new Map(),
      regions: new Set(),
      rollupTs: 0,
      warningEvents: [],
      notifications: [],
      stored,
      markStored,
    };
    const previous = this.lastStored;
    this.lastStored = stored;
    this.current = unit;
    // The ingest batch that caused these changes is acknowledged only once they are stored ...
    this.deps.joinBatch(() => unit.stored);
    // ... but they are written at once, beside the bulk COPY of readings rather than behind it:
    // an operator sees an alarm within milliseconds even when ingestion is busy. (setImmediate:
    // every packet already read from the socket has added its changes to this unit first.)
    setImmediate(() => void this.persistUntilStored(unit, previous));
    return unit;
  }

  /** Writes a unit after its predecessor, retrying while storage is unavailable; never rejects. */
  private async persistUntilStored(unit: AlarmChangeSet, previous: Promise<void>): Promise<void> {
    // Sealed: later changes go to a new unit, written after this one (records must not regress).
    if (this.current === unit) this.current = undefined;
    await previous;
    const backoff = new Backoff(STORE_RETRY);
    const timers = this.deps.timers ?? systemClock;
    for (;;) {
      try {
        await this.persist(unit);
        return;
      } catch (error) {
        if (!isRetryableStorageError(error)) {
          // Refused for good (a bug, not an outage): logged and counted, never allowed to block.
          this.failedUnits++;
          this.log.error(
            { err: error, events: unit.events.length },
            'alarm unit refused by storage; skipped',
          );
          unit.markStored();
          return;
        }
        const attempt = backoff.attempt;
        const delayMs = backoff.next();
        this.log.warn({ err: error, attempt, delayMs }, 'alarm unit not stored yet; will retry');
        await new Promise<void>((r) => timers.setTimeout(r, delayMs));
      }
    }
  }

  private async persist(unit: AlarmChangeSet): Promise<void> {
    const openRecords = new Map<string, WarningRecord>();
    for (const e of unit.warningEvents) {
      const record = this.desk.get(e.warningId);
      if (record) openRecords.set(e.warningId, record);
    }
    const now = this.deps.now();
    const rolls = unit.enterprises.size > 0 || unit.regions.size > 0;
    const alarmWrite: AlarmWrite = {
      alarms: unit.alarms,
      events: unit.events,
      colourChanges: unit.colourChanges,
      ...(rolls
        ? {
            regionRollup: {
              enterprises: [...unit.enterprises.values()],
              regions: [...unit.regions],
              ts: unit.rollupTs > 0 ? unit.rollupTs : now,
            },
          }
        : {}),
    };
    const deliveries = this.deliveriesOf(unit);
    let regionChanges: readonly ColourChange[];
    if (unit.warningEvents.length === 0 && deliveries.length === 0) {
      // The common case (an alarm raised, changed or cleared without a 预警 step): one statement,
      // atomic by itself, one round trip to the database (the region roll-up included).
      regionChanges = await this.deps.alarms.write(alarmWrite);
    } else {
      regionChanges = await this.deps.client.transaction(async (tx) => {
        const stored = await this.deps.alarms.write(alarmWrite, tx);
        await this.deps.warnings.write({ events: unit.warningEvents, openRecords }, tx);
        await this.deps.outbox.enqueue(deliveries, now, tx);
        return stored;
      });
    }
    unit.markStored();
    const events: AlarmEngineEvents = {
      alarmEvents: unit.events,
      colourChanges: [...unit.colourChanges, ...regionChanges],
      warningEvents: unit.warningEvents,
    };
    for (const listener of this.listeners) listener(events);
  }

  /**
   * The outbox rows of a unit, written in its transaction: each 预警 notification per recipient
   * and channel, and the fire-control-room deliveries of its gas alarms (GB/T 50493-2019 §5.1.2).
   */
  private deliveriesOf(unit: AlarmChangeSet): OutboxEnqueueItem[] {
    const routes = this.deps.routes ?? NO_ROUTES;
    return [
      ...unit.notifications.flatMap((n) => warningDeliveries(n, this.index, routes)),
      ...fireControlDeliveries(unit.events, this.index, this.colourPolicy, routes),
    ];
  }
}

function splitHazard(code: string): [string, string] {
  const slash = code.indexOf('/');
  return [code.slice(0, slash), code.slice(slash + 1)];
}
