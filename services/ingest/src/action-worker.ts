import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  AlarmActionCommandSchema,
  commandOfRow,
  TOPIC_ROOT,
  TOPIC_VERSION,
  type AlarmActionCommand,
  type AlarmActionOutcome,
} from '@hazardwatch/contracts';
import { CoalescingRunner, systemClock, type Clock, type TimerHandle } from '@hazardwatch/kit';
import {
  ACTION_REQUEST_CHANNEL,
  NOT_APPLIED,
  PgListener,
  type ActionRequestRepository,
  type ClaimedActionRequest,
} from '@hazardwatch/store';
import type { Logger } from 'pino';
import { applyAlarmAction } from './alarm-actions.js';
import type { AlarmEngine } from './alarm-engine.js';

export interface ActionWorkerOptions {
  /**
   * The alarm engine that applies a request of `enterprise`: the process's one engine, or (a leased
   * worker) the unit of the enterprise's partition — undefined when that partition is not held now,
   * and the request is left open for the worker that holds it.
   */
  readonly host: AlarmEngine | ((enterprise: string) => AlarmEngine | undefined);
  readonly requests: ActionRequestRepository;
  /** For the dedicated LISTEN connection. */
  readonly connectionString: string;
  /** Written to `claimed_by` (the ingest's MQTT client id: unique per worker, stable across restarts). */
  readonly workerId: string;
  /**
   * Enterprises this worker owns (its partition); null: every enterprise. A function is asked at
   * each claim (a leased worker's enterprises change with the partitions it holds).
   */
  readonly enterprises: readonly string[] | null | (() => readonly string[] | null);
  readonly logger: Logger;
  /** Fallback poll, ms: NOTIFY is lost while the listen connection is down. @default 1000 */
  readonly pollIntervalMs?: number;
  /** Requests claimed per transaction. @default 100 */
  readonly batchSize?: number;
  /** Drives the fallback poll. @default systemClock */
  readonly clock?: Clock;
}

/** Code of a stored request that does not describe an action (written by something else). */
const INVALID = 'HW_INGEST_ACTION_INVALID';

/**
 * The enterprises an ingest worker owns, from its MQTT subscriptions (`hw/v1/<enterprise>/+/…`,
 * as HW_INGEST_ENTERPRISES writes them); null when a filter covers every enterprise.
 */
export function ownedEnterprises(subscriptions: readonly string[]): readonly string[] | null {
  const owned = new Set<string>();
  for (const filter of subscriptions) {
    const levels = filter.split('/');
    // A filter that cannot match a five-level gateway topic (the malformed-topic catch-alls,
    // MALFORMED_TOPIC_FILTERS) owns nothing: `#` also matches its parent level (MQTT 4.7.1.2).
    const multiLevel = levels[levels.length - 1] === '#';
    const fixedLevels = multiLevel ? levels.length - 1 : levels.length;
    if (multiLevel ? fixedLevels > 5 : fixedLevels !== 5) continue;
    const [root, version, enterprise] = levels;
    if (root === '#' || (root === TOPIC_ROOT && (version === '#' || version === '+'))) return null;
    if (root !== TOPIC_ROOT || version !== TOPIC_VERSION || enterprise === undefined) continue;
    if (enterprise === '+' || enterprise === '#') return null;
    owned.add(enterprise);
  }
  return [...owned];
}

const checkCommand = TypeCompiler.Compile(AlarmActionCommandSchema);

/** The stored request as an engine command; undefined when it is not one (another writer's JSON). */
function commandOf(r: ClaimedActionRequest): AlarmActionCommand | undefined {
  const command = commandOfRow(r);
  return checkCommand.Check(command) ? command : undefined;
}

/**
 * Applies alarm and 预警 actions that API instances in other processes forwarded through
 * `alarm_action_requests`, for the enterprises this worker owns — through this process's alarm
 * engine, exactly as the in-process API does. Woken by NOTIFY on ACTION_REQUEST_CHANNEL, with a
 * poll as fallback; on start it finds what was asked while it was down (still within deadline).
 */
export class ActionWorker {
  readonly #log: Logger;
  readonly #listener: PgListener;
  readonly #batchSize: number;
  readonly #drains: CoalescingRunner;
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  /** Requests applied since start (metrics, tests). */
  applied = 0;

  constructor(private readonly options: ActionWorkerOptions) {
    this.#log = options.logger.child({ component: 'action-worker', worker: options.workerId });
    this.#batchSize = options.batchSize ?? 100;
    this.#clock = options.clock ?? systemClock;
    this.#drains = new CoalescingRunner({
      task: () => this.#drain(),
      // Nothing was applied for good (the transaction rolled back); the next poll retries.
      onError: (err) => this.#log.warn({ err }, 'claiming action requests failed'),
    });
    const owns = (enterprise: string): boolean => {
      const owned = this.#enterprises();
      return owned === null || owned.includes(enterprise);
    };
    this.#listener = new PgListener({
      connectionString: options.connectionString,
      channels: [ACTION_REQUEST_CHANNEL],
      onNotification: (_channel, enterprise) => {
        if (owns(enterprise)) this.wake();
      },
      // Requests made while not listening were not announced to us.
      onListening: () => this.wake(),
      logger: options.logger,
    });
  }

  async start(): Promise<void> {
    await this.#listener.start();
    this.wake();
    this.#timer = this.#clock.setInterval(() => {
      this.wake();
      this.options.requests
        .expireOverdue(this.#enterprises())
        .catch((err: unknown) => this.#log.warn({ err }, 'expiring overdue action requests failed'));
    }, this.options.pollIntervalMs ?? 1000);
    const owned = typeof this.options.enterprises === 'function' ? 'leased' : this.options.enterprises;
    this.#log.info({ enterprises: owned ?? 'all' }, 'action worker started');
  }

  /** Resolves when everything claimable when called has been applied (tests). */
  idle(): Promise<void> {
    return this.#drains.idle();
  }

  /** Runs a claim pass now, or right after the one in progress. */
  wake(): void {
    void this.#drains.run();
  }

  async close(): Promise<void> {
    this.#clock.clearInterval(this.#timer);
    await this.#drains.close();
    await this.#listener.close();
  }

  /** Claims and applies batches until one comes back short. */
  async #drain(): Promise<void> {
    for (;;) {
      const n = await this.options.requests.claimAndApply(
        this.options.workerId,
        this.#enterprises(),
        this.#batchSize,
        (r) => this.#apply(r),
      );
      this.applied += n;
      if (n < this.#batchSize) return;
    }
  }

  #enterprises(): readonly string[] | null {
    const { enterprises } = this.options;
    return typeof enterprises === 'function' ? enterprises() : enterprises;
  }

  #apply(r: ClaimedActionRequest): AlarmActionOutcome | typeof NOT_APPLIED {
    const { host } = this.options;
    const engine = typeof host === 'function' ? host(r.enterprise) : host;
    if (engine === undefined) {
      // Its partition was lost between the claim and now: the claim is undone, the worker holding
      // the partition applies it (within the request's deadline).
      this.#log.info({ id: r.id, enterprise: r.enterprise }, 'action request left: partition not held');
      return NOT_APPLIED;
    }
    const command = commandOf(r);
    if (command === undefined) {
      this.#log.warn({ id: r.id, kind: r.kind }, 'action request refused: not an action');
      return {
        ok: false,
        error: { code: INVALID, message: `request ${r.id} is not a valid ${r.kind}`, status: 400 },
      };
    }
    const outcome = applyAlarmAction(engine, command);
    this.#log.info(
      { id: r.id, kind: r.kind, target: r.targetId, actor: r.actor, ok: outcome.ok },
      'forwarded action applied',
    );
    return outcome;
  }
}
