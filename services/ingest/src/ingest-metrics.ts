import { DEAD_LETTER_DROP_REASONS, type IngestCounters } from './ingest-counters.js';

export interface IngestGauges {
  readonly bufferedRows: number;
  readonly unacknowledgedMessages: number;
  readonly storageHealthy: boolean;
  readonly brokerConnected: boolean;
  /** Dead letters waiting for storage (IngestPipeline.deadLettersQueued). */
  readonly deadLettersQueued?: number;
  /** Alarm persistence units the database refused for good (AlarmHost.failedUnits), if an alarm host runs. */
  readonly alarmUnitsFailed?: number;
}

/** Prometheus text exposition (format 0.0.4) of the ingest counters. */
export function ingestMetricsText(counters: IngestCounters, gauges: IngestGauges): string {
  const c = counters.snapshot();
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: Array<[string, number]>,
  ): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('hw_ingest_messages_total', 'counter', 'MQTT messages received.', [['', c.messages]]);
  metric(
    'hw_ingest_messages_durable_total',
    'counter',
    'Messages whose content is durable and acknowledged.',
    [['', c.messagesDurable]],
  );
  metric(
    'hw_ingest_readings_received_total',
    'counter',
    'Readings received (each delivery) plus messages refused whole.',
    [['', c.received]],
  );
  metric('hw_ingest_readings_accepted_total', 'counter', 'Readings stored as new rows.', [['', c.accepted]]);
  metric(
    'hw_ingest_readings_duplicate_total',
    'counter',
    'Valid readings already stored (redelivered or repeated), not stored again.',
    [['', c.duplicates]],
  );
  metric(
    'hw_ingest_rejected_total',
    'counter',
    'Messages or readings rejected, by reason.',
    Object.entries(c.rejectedByReason).map(([reason, n]) => [`{reason="${reason}"}`, n]),
  );
  metric(
    'hw_ingest_seq_invalid_total',
    'counter',
    'Messages whose seq was not an integer >= 0 (ignored; their readings decoded as usual).',
    [['', c.seqInvalid]],
  );
  metric(
    'hw_ingest_gateway_readings_total',
    'counter',
    'Readings by gateway and validation outcome, each delivery.',
    Object.entries(c.byGateway).flatMap(([gw, n]) => {
      const [enterprise, gateway] = gw.split('/');
      const l = `enterprise="${enterprise}",gateway="${gateway}"`;
      return [
        [`{${l},outcome="valid"}`, n.valid],
        [`{${l},outcome="rejected"}`, n.rejected],
      ] as Array<[string, number]>;
    }),
  );
  metric('hw_ingest_rows_written_total', 'counter', 'Rows inserted into storage.', [['', c.rowsWritten]]);
  metric('hw_ingest_batches_written_total', 'counter', 'Batches committed.', [['', c.batchesWritten]]);
  metric('hw_ingest_storage_retries_total', 'counter', 'Failed batch writes that were retried.', [
    ['', c.storageRetries],
  ]);
  metric('hw_ingest_dead_letters_written_total', 'counter', 'Dead letters stored.', [
    ['', c.deadLettersWritten],
  ]);
  metric(
    'hw_ingest_dead_letters_truncated_total',
    'counter',
    'Dead letters stored with their raw payload cut to deadLetters.maxRawBytes.',
    [['', c.deadLettersTruncated]],
  );
  metric(
    'hw_ingest_dead_letters_dropped_total',
    'counter',
    'Dead letters counted but not stored, by reason.',
    DEAD_LETTER_DROP_REASONS.map((reason) => [`{reason="${reason}"}`, c.deadLettersDropped[reason]]),
  );
  metric(
    'hw_ingest_batches_poisoned_total',
    'counter',
    'Batches whose write failed for good; their rows were dead-lettered as storage_rejected.',
    [['', c.batchesPoisoned]],
  );
  metric(
    'hw_ingest_durable_work_failed_total',
    'counter',
    'Work attached to a batch (alarm persistence) that failed for good and was skipped.',
    [['', c.durableWorkFailed]],
  );
  if (gauges.alarmUnitsFailed !== undefined)
    metric(
      'hw_ingest_alarm_units_failed_total',
      'counter',
      'Alarm persistence units the database refused for good (not retried).',
      [['', gauges.alarmUnitsFailed]],
    );
  metric(
    'hw_ingest_gateway_status_writes_total',
    'counter',
    'Gateway status upserts (one per flush), by outcome.',
    [
      ['{outcome="ok"}', c.gatewayStatusWrites],
      ['{outcome="failed"}', c.gatewayStatusWritesFailed],
    ],
  );
  metric(
    'hw_ingest_unknown_gateway_status_total',
    'counter',
    'Status messages of gateways the site does not know: counted only (no presence, no gateway_status row, no alarm).',
    [['', c.unknownGatewayStatus]],
  );
  metric(
    'hw_ingest_data_loss_reports_total',
    'counter',
    'Gateway data_loss reports by storage outcome: stored, duplicate (already stored), not_stored (refused or storage away).',
    [
      ['{outcome="stored"}', c.dataLossStored],
      ['{outcome="duplicate"}', c.dataLossDuplicate],
      ['{outcome="not_stored"}', c.dataLossNotStored],
    ],
  );
  metric('hw_ingest_buffered_rows', 'gauge', 'Rows accepted but not yet durable.', [
    ['', gauges.bufferedRows],
  ]);
  metric('hw_ingest_unacknowledged_messages', 'gauge', 'Messages received whose acknowledgement is held.', [
    ['', gauges.unacknowledgedMessages],
  ]);
  if (gauges.deadLettersQueued !== undefined)
    metric('hw_ingest_dead_letters_queued', 'gauge', 'Dead letters waiting for storage.', [
      ['', gauges.deadLettersQueued],
    ]);
  metric('hw_ingest_storage_healthy', 'gauge', '1 while batch writes succeed.', [
    ['', gauges.storageHealthy ? 1 : 0],
  ]);
  metric('hw_ingest_broker_connected', 'gauge', '1 while connected to the broker.', [
    ['', gauges.brokerConnected ? 1 : 0],
  ]);
  return `${lines.join('\n')}\n`;
}
