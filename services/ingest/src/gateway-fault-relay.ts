import type { GatewayStatus } from '@hazardwatch/contracts';
import type { ReportedSource } from '@hazardwatch/core';
import { isRetryableStorageError, type DataLossRecord } from '@hazardwatch/store';
import type { Logger } from 'pino';
import type { IngestCounters } from './ingest-counters.js';
import { backoffDelay, type BackoffOptions, type Clock } from '@hazardwatch/kit';

/** What the relay tells about a gateway: EvaluationEngine of @hazardwatch/core satisfies it. */
export interface GatewayEvaluator {
  gatewayOnline(enterprise: string, gateway: string, ts: number): boolean;
  gatewayOffline(enterprise: string, gateway: string, ts: number): boolean;
  gatewaySources(
    enterprise: string,
    gateway: string,
    sources: readonly ReportedSource[],
    ts: number,
  ): boolean;
  gatewayDataLoss(enterprise: string, gateway: string, readings: number, ts: number): boolean;
}

/** Where data-loss reports are kept (DataLossRepository in production). */
export interface DataLossStore {
  /** @returns false when the report was already stored. */
  insert(record: DataLossRecord): Promise<boolean>;
}

export interface GatewayFaultRelayDeps {
  readonly evaluator: GatewayEvaluator;
  readonly store?: DataLossStore;
  /** Where the outcome of each stored report is counted (dataLossStored, …; on /metrics). */
  readonly counters: IngestCounters;
  readonly logger: Logger;
  readonly timers: Pick<Clock, 'setTimeout'>;
  /** Uniform in [0, 1) for the retry backoff's jitter, injected by tests. @default Math.random */
  readonly random?: () => number;
  /** Attempts to store one report while storage is unavailable. @default 5 */
  readonly storeAttempts?: number;
}

/**
 * Every valid status message of a gateway, told to the alarm engine (ARCHITECTURE "Faults are
 * facts"; issue #16 items 3, 4):
 * - birth, heartbeat and data_loss are signs of life: the gateway is online whatever its sources
 *   do, so GATEWAY_OFFLINE follows the gateway's own liveness (birth/heartbeat/death and any
 *   message), not its readings. Before, only a change of presence reached the engine, so a
 *   heartbeat with an unchanged spool depth was lost and a gateway whose OPC-UA source was down
 *   went "offline" 60 s after its last reading, hiding its points' STALE;
 * - death (the broker's last will) is the gateway gone;
 * - the sources a heartbeat lists drive SOURCE_DOWN;
 * - data_loss raises DATA_LOSS and is stored (gateway, source-time span, readings, received at).
 *   `status` resolves once it is stored (or given up), so the message is acknowledged only then.
 */
export class GatewayFaultRelay {
  private readonly log: Logger;
  private readonly attempts: number;
  private readonly backoff: BackoffOptions;

  constructor(private readonly deps: GatewayFaultRelayDeps) {
    this.log = deps.logger.child({ component: 'gateway-faults' });
    this.attempts = deps.storeAttempts ?? 5;
    // 400 ms before the second attempt, doubling (the relay's delays since issue #16), with full
    // jitter; capped so a long storeAttempts never waits minutes between tries.
    this.backoff = {
      initialMs: 400,
      maxMs: 30_000,
      ...(deps.random ? { random: deps.random } : {}),
    };
  }

  /** One valid status message, at ingest clock `nowMs`. Never rejects. */
  status(
    enterprise: string,
    gateway: string,
    status: GatewayStatus,
    nowMs: number,
  ): Promise<void> | undefined {
    const { evaluator } = this.deps;
    if (status.type === 'death') {
      evaluator.gatewayOffline(enterprise, gateway, nowMs);
      return undefined;
    }
    evaluator.gatewayOnline(enterprise, gateway, nowMs);
    if (status.sources !== undefined) evaluator.gatewaySources(enterprise, gateway, status.sources, nowMs);
    if (status.type !== 'data_loss' || status.dropped === undefined) return undefined;
    const { dropped } = status;
    this.log.warn(
      {
        enterprise,
        gateway,
        reason: dropped.reason,
        readings: dropped.readings,
        fromMs: dropped.oldestTs,
        toMs: dropped.newestTs,
      },
      'gateway reported data loss',
    );
    evaluator.gatewayDataLoss(enterprise, gateway, dropped.readings, nowMs);
    const store = this.deps.store;
    if (store === undefined) return undefined;
    return this.store(store, {
      enterprise,
      gateway,
      reason: dropped.reason,
      readings: dropped.readings,
      entries: dropped.entries,
      fromMs: dropped.oldestTs ?? null,
      toMs: dropped.newestTs ?? null,
      reportedMs: status.ts,
      receivedMs: nowMs,
    });
  }

  private async store(store: DataLossStore, record: DataLossRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (await store.insert(record)) this.deps.counters.dataLossStored++;
        else this.deps.counters.dataLossDuplicate++;
        return;
      } catch (err) {
        if (!isRetryableStorageError(err) || attempt >= this.attempts) {
          this.deps.counters.dataLossNotStored++;
          this.log.error({ err, gateway: record.gateway, attempt }, 'data loss report not stored');
          return;
        }
        const delayMs = backoffDelay(attempt - 1, this.backoff);
        await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, delayMs));
      }
    }
  }
}
