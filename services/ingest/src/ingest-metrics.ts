import { Counter, Gauge, Registry } from 'prom-client';
import { DEAD_LETTER_DROP_REASONS, type IngestCounters } from './ingest-counters.js';

export interface IngestGauges {
  readonly bufferedRows: number;
  readonly unacknowledgedMessages: number;
  readonly storageHealthy: boolean;
  readonly brokerConnected: boolean;
  /** Dead letters waiting for storage (IngestPipeline.deadLettersQueued). */
  readonly deadLettersQueued?: number;
  /** Alarm persistence units the database refused for good (AlarmEngine.failedUnits), if an alarm engine runs. */
  readonly alarmUnitsFailed?: number;
  /** Notification deliveries by channel (OutboxWorker.byChannel), if the outbox worker runs. */
  readonly notifications?: ReadonlyMap<
    string,
    { readonly delivered: number; readonly retried: number; readonly failed: number }
  >;
}

type Labels = Record<string, string>;

/**
 * Prometheus text exposition (format 0.0.4) of the ingest counters, through prom-client: one
 * registry per scrape, filled from the counters' snapshot (they are counted on the hot path as
 * plain numbers, not as prom-client metrics). Families keep the names, types, labels and HELP
 * texts dashboards and alerts rely on (ingest-metrics.test.ts pins them).
 */
export async function ingestMetricsText(counters: IngestCounters, gauges: IngestGauges): Promise<string> {
  const c = counters.snapshot();
  const registry = new Registry();
  const counter = (
    name: string,
    help: string,
    labelNames: readonly string[],
    samples: ReadonlyArray<readonly [Labels, number]>,
  ): void => {
    // Declared labels: a family with none of its series yet shows no unlabelled 0.
    const metric = new Counter({ name, help, labelNames, registers: [registry] });
    for (const [labels, value] of samples) metric.inc(labels, value);
  };
  const gauge = (name: string, help: string, value: number): void => {
    new Gauge({ name, help, registers: [registry] }).set(value);
  };
  const total = (name: string, help: string, value: number): void => counter(name, help, [], [[{}, value]]);
  total('hw_ingest_messages_total', 'MQTT messages received.', c.messages);
  total(
    'hw_ingest_messages_durable_total',
    'Messages whose content is durable and acknowledged.',
    c.messagesDurable,
  );
  total(
    'hw_ingest_readings_received_total',
    'Readings received (each delivery) plus messages refused whole.',
    c.received,
  );
  total('hw_ingest_readings_accepted_total', 'Readings stored as new rows.', c.accepted);
  total(
    'hw_ingest_readings_duplicate_total',
    'Valid readings already stored (redelivered or repeated), not stored again.',
    c.duplicates,
  );
  counter(
    'hw_ingest_rejected_total',
    'Messages or readings rejected, by reason.',
    ['reason'],
    Object.entries(c.rejectedByReason).map(([reason, n]) => [{ reason }, n] as const),
  );
  total(
    'hw_ingest_seq_invalid_total',
    'Messages whose seq was not an integer >= 0 (ignored; their readings decoded as usual).',
    c.seqInvalid,
  );
  counter(
    'hw_ingest_gateway_readings_total',
    'Readings by gateway and validation outcome, each delivery.',
    ['enterprise', 'gateway', 'outcome'],
    Object.entries(c.byGateway).flatMap(([key, n]) => {
      const [enterprise = '', gateway = ''] = key.split('/');
      return [
        [{ enterprise, gateway, outcome: 'valid' }, n.valid],
        [{ enterprise, gateway, outcome: 'rejected' }, n.rejected],
      ] as const;
    }),
  );
  total('hw_ingest_rows_written_total', 'Rows inserted into storage.', c.rowsWritten);
  total('hw_ingest_batches_written_total', 'Batches committed.', c.batchesWritten);
  total('hw_ingest_storage_retries_total', 'Failed batch writes that were retried.', c.storageRetries);
  total('hw_ingest_dead_letters_written_total', 'Dead letters stored.', c.deadLettersWritten);
  total(
    'hw_ingest_dead_letters_truncated_total',
    'Dead letters stored with their raw payload cut to deadLetters.maxRawBytes.',
    c.deadLettersTruncated,
  );
  counter(
    'hw_ingest_dead_letters_dropped_total',
    'Dead letters counted but not stored, by reason.',
    ['reason'],
    DEAD_LETTER_DROP_REASONS.map((reason) => [{ reason }, c.deadLettersDropped[reason]] as const),
  );
  total(
    'hw_ingest_batches_poisoned_total',
    'Batches whose write failed for good; their rows were dead-lettered as storage_rejected.',
    c.batchesPoisoned,
  );
  total(
    'hw_ingest_durable_work_failed_total',
    'Work attached to a batch (alarm persistence) that failed for good and was skipped.',
    c.durableWorkFailed,
  );
  if (gauges.alarmUnitsFailed !== undefined)
    total(
      'hw_ingest_alarm_units_failed_total',
      'Alarm persistence units the database refused for good (not retried).',
      gauges.alarmUnitsFailed,
    );
  counter(
    'hw_ingest_gateway_status_writes_total',
    'Gateway status upserts (one per flush), by outcome.',
    ['outcome'],
    [
      [{ outcome: 'ok' }, c.gatewayStatusWrites],
      [{ outcome: 'failed' }, c.gatewayStatusWritesFailed],
    ],
  );
  total(
    'hw_ingest_unknown_gateway_status_total',
    'Status messages of gateways the site does not know: counted only (no presence, no gateway_status row, no alarm).',
    c.unknownGatewayStatus,
  );
  total(
    'hw_ingest_retained_deaths_ignored_total',
    'Retained death status messages, delivered at a subscribe, of gateways heard from within their offline timeout: not taken.',
    c.retainedDeathsIgnored,
  );
  counter(
    'hw_ingest_data_loss_reports_total',
    'Gateway data_loss reports by storage outcome: stored, duplicate (already stored), not_stored (refused or storage away).',
    ['outcome'],
    [
      [{ outcome: 'stored' }, c.dataLossStored],
      [{ outcome: 'duplicate' }, c.dataLossDuplicate],
      [{ outcome: 'not_stored' }, c.dataLossNotStored],
    ],
  );
  if (gauges.notifications !== undefined)
    counter(
      'hw_ingest_notifications_total',
      'Notification delivery attempts by channel and outcome: delivered, retried (failed, will try again), failed (given up).',
      ['channel', 'outcome'],
      [...gauges.notifications].flatMap(([channel, n]) =>
        (['delivered', 'retried', 'failed'] as const).map(
          (outcome) => [{ channel, outcome }, n[outcome]] as const,
        ),
      ),
    );
  gauge('hw_ingest_buffered_rows', 'Rows accepted but not yet durable.', gauges.bufferedRows);
  gauge(
    'hw_ingest_unacknowledged_messages',
    'Messages received whose acknowledgement is held.',
    gauges.unacknowledgedMessages,
  );
  if (gauges.deadLettersQueued !== undefined)
    gauge('hw_ingest_dead_letters_queued', 'Dead letters waiting for storage.', gauges.deadLettersQueued);
  gauge('hw_ingest_storage_healthy', '1 while batch writes succeed.', gauges.storageHealthy ? 1 : 0);
  gauge('hw_ingest_broker_connected', '1 while connected to the broker.', gauges.brokerConnected ? 1 : 0);
  return registry.metrics();
}
