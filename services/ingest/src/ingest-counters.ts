import { REJECT_REASONS, type RejectReason } from '@hazardwatch/contracts';

/**
 * Why a dead letter was counted but not stored: over its gateway's rate, the in-memory queue of
 * letters waiting for storage full, or refused by the database (or by a writer that failed for good).
 */
export const DEAD_LETTER_DROP_REASONS = ['rate_limited', 'queue_full', 'refused'] as const;
export type DeadLetterDropReason = (typeof DEAD_LETTER_DROP_REASONS)[number];

/** Per gateway, counted as messages are decoded: every delivery counts (a redelivery again). */
export interface GatewayCounts {
  /** Readings that passed validation. */
  valid: number;
  rejected: number;
}

export interface IngestCountersSnapshot {
  readonly messages: number;
  readonly messagesDurable: number;
  readonly received: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly seqInvalid: number;
  readonly rejectedByReason: Readonly<Record<RejectReason, number>>;
  readonly byGateway: Readonly<Record<string, GatewayCounts>>;
  readonly rowsWritten: number;
  readonly batchesWritten: number;
  readonly storageRetries: number;
  readonly deadLettersDropped: Readonly<Record<DeadLetterDropReason, number>>;
  readonly batchesPoisoned: number;
  readonly deadLettersWritten: number;
  readonly deadLettersTruncated: number;
  readonly durableWorkFailed: number;
  readonly gatewayStatusWrites: number;
  readonly gatewayStatusWritesFailed: number;
  readonly unknownGatewayStatus: number;
  readonly retainedDeathsIgnored: number;
  readonly dataLossStored: number;
  readonly dataLossDuplicate: number;
  readonly dataLossNotStored: number;
}

/**
 * Counts every message and every reading by outcome. Once everything received is durable,
 * received = accepted + duplicates + rejected, and accepted = rows written = rows this process
 * added to `readings` (the fuzz and redelivery tests check both against the database).
 */
export class IngestCounters {
  messages = 0;
  /** Messages whose content is durable (their acknowledgement may leave). */
  messagesDurable = 0;
  /**
   * Units received, once per delivery: each reading of a message that decoded, plus each message
   * refused as a whole (which counts once, however many readings it held).
   */
  received = 0;
  /** Readings stored as new rows (counted when their batch is durable). */
  accepted = 0;
  /**
   * Valid readings not stored again because their (point, ts) was already stored: a redelivered
   * message or a device repeating a reading. Counted when their batch is durable.
   */
  duplicates = 0;
  rejected = 0;
  /** Messages whose `seq` was not an integer ≥ 0: the seq is ignored, the readings decoded. */
  seqInvalid = 0;
  rowsWritten = 0;
  batchesWritten = 0;
  storageRetries = 0;
  /** Dead letters counted but not stored, by why. */
  readonly deadLettersDropped = Object.fromEntries(DEAD_LETTER_DROP_REASONS.map((r) => [r, 0])) as Record<
    DeadLetterDropReason,
    number
  >;
  /**
   * Batches whose write failed for good (not a storage outage: a bug, a statement the database
   * cannot run): their rows were rejected as `storage_rejected` instead of retried forever.
   */
  batchesPoisoned = 0;
  /** Dead letters stored (the writer's own storage_rejected letters included). */
  deadLettersWritten = 0;
  /** Dead letters stored with their raw payload cut to the configured size. */
  deadLettersTruncated = 0;
  /** Attached durable work (alarm persistence) the database refused for good. */
  durableWorkFailed = 0;
  /** Gateway status upserts (one per flush, any number of gateways) that succeeded / failed. */
  gatewayStatusWrites = 0;
  gatewayStatusWritesFailed = 0;
  /**
   * Status messages (birth, death, heartbeat, data_loss) of gateways the site in force does not
   * know: their presence is not kept, not stored, and the alarm engine is not told. (Telemetry of
   * such gateways is refused whole as `unknown_gateway`, counted in rejectedByReason.)
   */
  unknownGatewayStatus = 0;
  /**
   * Retained `death` status messages delivered at a subscribe for a gateway heard from within its
   * offline timeout: not taken (app.ts; the timeout decides if the gateway is really gone).
   */
  retainedDeathsIgnored = 0;
  /** `data_loss` reports stored in data_loss_events (GatewayFaultRelay). */
  dataLossStored = 0;
  /** `data_loss` reports already stored (a QoS 1 redelivery): not stored again. */
  dataLossDuplicate = 0;
  /** `data_loss` reports storage refused for good, or that stayed unstored after every attempt. */
  dataLossNotStored = 0;
  readonly rejectedByReason = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<
    RejectReason,
    number
  >;
  private readonly gateways = new Map<string, GatewayCounts>();

  gateway(key: string): GatewayCounts {
    let counts = this.gateways.get(key);
    if (!counts) this.gateways.set(key, (counts = { valid: 0, rejected: 0 }));
    return counts;
  }

  snapshot(): IngestCountersSnapshot {
    return {
      messages: this.messages,
      messagesDurable: this.messagesDurable,
      received: this.received,
      accepted: this.accepted,
      duplicates: this.duplicates,
      rejected: this.rejected,
      seqInvalid: this.seqInvalid,
      rejectedByReason: { ...this.rejectedByReason },
      byGateway: Object.fromEntries([...this.gateways].map(([k, v]) => [k, { ...v }])),
      rowsWritten: this.rowsWritten,
      batchesWritten: this.batchesWritten,
      storageRetries: this.storageRetries,
      deadLettersDropped: { ...this.deadLettersDropped },
      batchesPoisoned: this.batchesPoisoned,
      deadLettersWritten: this.deadLettersWritten,
      deadLettersTruncated: this.deadLettersTruncated,
      durableWorkFailed: this.durableWorkFailed,
      gatewayStatusWrites: this.gatewayStatusWrites,
      gatewayStatusWritesFailed: this.gatewayStatusWritesFailed,
      unknownGatewayStatus: this.unknownGatewayStatus,
      retainedDeathsIgnored: this.retainedDeathsIgnored,
      dataLossStored: this.dataLossStored,
      dataLossDuplicate: this.dataLossDuplicate,
      dataLossNotStored: this.dataLossNotStored,
    };
  }
}
