import { describe, expect, it } from 'vitest';
import { IngestCounters, ingestMetricsText } from '@hazardwatch/ingest';

/** Every counter a distinct value, so a sample that reads the wrong counter shows. */
function countersWithValues(): IngestCounters {
  const c = new IngestCounters();
  c.messages = 101;
  c.messagesDurable = 102;
  c.received = 103;
  c.accepted = 104;
  c.duplicates = 105;
  c.rejected = 106;
  c.seqInvalid = 107;
  c.rowsWritten = 108;
  c.batchesWritten = 109;
  c.storageRetries = 110;
  c.batchesPoisoned = 111;
  c.deadLettersWritten = 112;
  c.deadLettersTruncated = 113;
  c.durableWorkFailed = 114;
  c.gatewayStatusWrites = 115;
  c.gatewayStatusWritesFailed = 116;
  c.unknownGatewayStatus = 117;
  c.dataLossStored = 118;
  c.dataLossDuplicate = 119;
  c.dataLossNotStored = 120;
  c.deadLettersDropped.rate_limited = 121;
  c.deadLettersDropped.queue_full = 122;
  c.deadLettersDropped.refused = 123;
  c.rejectedByReason.malformed_json = 124;
  c.rejectedByReason.ts_too_old = 125;
  Object.assign(c.gateway('91320623MA1W000001/GW01'), { valid: 126, rejected: 127 });
  Object.assign(c.gateway('_unknown/_unknown'), { valid: 0, rejected: 128 });
  return c;
}

/**
 * Blank lines carry nothing in the text format (prom-client puts one between families; the
 * hand-written exposition had none).
 */
const withoutBlankLines = (text: string): string => text.replace(/\n{2,}/g, '\n');

/**
 * The exposition scrapers and dashboards depend on: every family's name, type, HELP text, labels
 * and sample values, pinned as the hand-written text produced them before the switch to
 * prom-client (issue #18).
 */
describe('ingest metrics exposition', () => {
  it('with every gauge', async () => {
    const text = await ingestMetricsText(countersWithValues(), {
      bufferedRows: 129,
      unacknowledgedMessages: 130,
      storageHealthy: true,
      brokerConnected: false,
      deadLettersQueued: 131,
      alarmUnitsFailed: 132,
    });
    expect(withoutBlankLines(text)).toMatchInlineSnapshot(`
      "# HELP hw_ingest_messages_total MQTT messages received.
      # TYPE hw_ingest_messages_total counter
      hw_ingest_messages_total 101
      # HELP hw_ingest_messages_durable_total Messages whose content is durable and acknowledged.
      # TYPE hw_ingest_messages_durable_total counter
      hw_ingest_messages_durable_total 102
      # HELP hw_ingest_readings_received_total Readings received (each delivery) plus messages refused whole.
      # TYPE hw_ingest_readings_received_total counter
      hw_ingest_readings_received_total 103
      # HELP hw_ingest_readings_accepted_total Readings stored as new rows.
      # TYPE hw_ingest_readings_accepted_total counter
      hw_ingest_readings_accepted_total 104
      # HELP hw_ingest_readings_duplicate_total Valid readings already stored (redelivered or repeated), not stored again.
      # TYPE hw_ingest_readings_duplicate_total counter
      hw_ingest_readings_duplicate_total 105
      # HELP hw_ingest_rejected_total Messages or readings rejected, by reason.
      # TYPE hw_ingest_rejected_total counter
      hw_ingest_rejected_total{reason="bad_topic"} 0
      hw_ingest_rejected_total{reason="oversized"} 0
      hw_ingest_rejected_total{reason="malformed_json"} 124
      hw_ingest_rejected_total{reason="bad_envelope"} 0
      hw_ingest_rejected_total{reason="bad_reading"} 0
      hw_ingest_rejected_total{reason="non_finite"} 0
      hw_ingest_rejected_total{reason="ts_in_future"} 0
      hw_ingest_rejected_total{reason="ts_too_old"} 125
      hw_ingest_rejected_total{reason="unknown_gateway"} 0
      hw_ingest_rejected_total{reason="unknown_point"} 0
      hw_ingest_rejected_total{reason="wrong_gateway"} 0
      hw_ingest_rejected_total{reason="point_disabled"} 0
      hw_ingest_rejected_total{reason="storage_rejected"} 0
      # HELP hw_ingest_seq_invalid_total Messages whose seq was not an integer >= 0 (ignored; their readings decoded as usual).
      # TYPE hw_ingest_seq_invalid_total counter
      hw_ingest_seq_invalid_total 107
      # HELP hw_ingest_gateway_readings_total Readings by gateway and validation outcome, each delivery.
      # TYPE hw_ingest_gateway_readings_total counter
      hw_ingest_gateway_readings_total{enterprise="91320623MA1W000001",gateway="GW01",outcome="valid"} 126
      hw_ingest_gateway_readings_total{enterprise="91320623MA1W000001",gateway="GW01",outcome="rejected"} 127
      hw_ingest_gateway_readings_total{enterprise="_unknown",gateway="_unknown",outcome="valid"} 0
      hw_ingest_gateway_readings_total{enterprise="_unknown",gateway="_unknown",outcome="rejected"} 128
      # HELP hw_ingest_rows_written_total Rows inserted into storage.
      # TYPE hw_ingest_rows_written_total counter
      hw_ingest_rows_written_total 108
      # HELP hw_ingest_batches_written_total Batches committed.
      # TYPE hw_ingest_batches_written_total counter
      hw_ingest_batches_written_total 109
      # HELP hw_ingest_storage_retries_total Failed batch writes that were retried.
      # TYPE hw_ingest_storage_retries_total counter
      hw_ingest_storage_retries_total 110
      # HELP hw_ingest_dead_letters_written_total Dead letters stored.
      # TYPE hw_ingest_dead_letters_written_total counter
      hw_ingest_dead_letters_written_total 112
      # HELP hw_ingest_dead_letters_truncated_total Dead letters stored with their raw payload cut to deadLetters.maxRawBytes.
      # TYPE hw_ingest_dead_letters_truncated_total counter
      hw_ingest_dead_letters_truncated_total 113
      # HELP hw_ingest_dead_letters_dropped_total Dead letters counted but not stored, by reason.
      # TYPE hw_ingest_dead_letters_dropped_total counter
      hw_ingest_dead_letters_dropped_total{reason="rate_limited"} 121
      hw_ingest_dead_letters_dropped_total{reason="queue_full"} 122
      hw_ingest_dead_letters_dropped_total{reason="refused"} 123
      # HELP hw_ingest_batches_poisoned_total Batches whose write failed for good; their rows were dead-lettered as storage_rejected.
      # TYPE hw_ingest_batches_poisoned_total counter
      hw_ingest_batches_poisoned_total 111
      # HELP hw_ingest_durable_work_failed_total Work attached to a batch (alarm persistence) that failed for good and was skipped.
      # TYPE hw_ingest_durable_work_failed_total counter
      hw_ingest_durable_work_failed_total 114
      # HELP hw_ingest_alarm_units_failed_total Alarm persistence units the database refused for good (not retried).
      # TYPE hw_ingest_alarm_units_failed_total counter
      hw_ingest_alarm_units_failed_total 132
      # HELP hw_ingest_gateway_status_writes_total Gateway status upserts (one per flush), by outcome.
      # TYPE hw_ingest_gateway_status_writes_total counter
      hw_ingest_gateway_status_writes_total{outcome="ok"} 115
      hw_ingest_gateway_status_writes_total{outcome="failed"} 116
      # HELP hw_ingest_unknown_gateway_status_total Status messages of gateways the site does not know: counted only (no presence, no gateway_status row, no alarm).
      # TYPE hw_ingest_unknown_gateway_status_total counter
      hw_ingest_unknown_gateway_status_total 117
      # HELP hw_ingest_retained_deaths_ignored_total Retained death status messages, delivered at a subscribe, of gateways heard from within their offline timeout: not taken.
      # TYPE hw_ingest_retained_deaths_ignored_total counter
      hw_ingest_retained_deaths_ignored_total 0
      # HELP hw_ingest_data_loss_reports_total Gateway data_loss reports by storage outcome: stored, duplicate (already stored), not_stored (refused or storage away).
      # TYPE hw_ingest_data_loss_reports_total counter
      hw_ingest_data_loss_reports_total{outcome="stored"} 118
      hw_ingest_data_loss_reports_total{outcome="duplicate"} 119
      hw_ingest_data_loss_reports_total{outcome="not_stored"} 120
      # HELP hw_ingest_buffered_rows Rows accepted but not yet durable.
      # TYPE hw_ingest_buffered_rows gauge
      hw_ingest_buffered_rows 129
      # HELP hw_ingest_unacknowledged_messages Messages received whose acknowledgement is held.
      # TYPE hw_ingest_unacknowledged_messages gauge
      hw_ingest_unacknowledged_messages 130
      # HELP hw_ingest_dead_letters_queued Dead letters waiting for storage.
      # TYPE hw_ingest_dead_letters_queued gauge
      hw_ingest_dead_letters_queued 131
      # HELP hw_ingest_storage_healthy 1 while batch writes succeed.
      # TYPE hw_ingest_storage_healthy gauge
      hw_ingest_storage_healthy 1
      # HELP hw_ingest_broker_connected 1 while connected to the broker.
      # TYPE hw_ingest_broker_connected gauge
      hw_ingest_broker_connected 0
      "
    `);
  });

  it('without the optional gauges: their families are left out', async () => {
    const text = await ingestMetricsText(new IngestCounters(), {
      bufferedRows: 0,
      unacknowledgedMessages: 0,
      storageHealthy: false,
      brokerConnected: true,
    });
    expect(withoutBlankLines(text)).toMatchInlineSnapshot(`
      "# HELP hw_ingest_messages_total MQTT messages received.
      # TYPE hw_ingest_messages_total counter
      hw_ingest_messages_total 0
      # HELP hw_ingest_messages_durable_total Messages whose content is durable and acknowledged.
      # TYPE hw_ingest_messages_durable_total counter
      hw_ingest_messages_durable_total 0
      # HELP hw_ingest_readings_received_total Readings received (each delivery) plus messages refused whole.
      # TYPE hw_ingest_readings_received_total counter
      hw_ingest_readings_received_total 0
      # HELP hw_ingest_readings_accepted_total Readings stored as new rows.
      # TYPE hw_ingest_readings_accepted_total counter
      hw_ingest_readings_accepted_total 0
      # HELP hw_ingest_readings_duplicate_total Valid readings already stored (redelivered or repeated), not stored again.
      # TYPE hw_ingest_readings_duplicate_total counter
      hw_ingest_readings_duplicate_total 0
      # HELP hw_ingest_rejected_total Messages or readings rejected, by reason.
      # TYPE hw_ingest_rejected_total counter
      hw_ingest_rejected_total{reason="bad_topic"} 0
      hw_ingest_rejected_total{reason="oversized"} 0
      hw_ingest_rejected_total{reason="malformed_json"} 0
      hw_ingest_rejected_total{reason="bad_envelope"} 0
      hw_ingest_rejected_total{reason="bad_reading"} 0
      hw_ingest_rejected_total{reason="non_finite"} 0
      hw_ingest_rejected_total{reason="ts_in_future"} 0
      hw_ingest_rejected_total{reason="ts_too_old"} 0
      hw_ingest_rejected_total{reason="unknown_gateway"} 0
      hw_ingest_rejected_total{reason="unknown_point"} 0
      hw_ingest_rejected_total{reason="wrong_gateway"} 0
      hw_ingest_rejected_total{reason="point_disabled"} 0
      hw_ingest_rejected_total{reason="storage_rejected"} 0
      # HELP hw_ingest_seq_invalid_total Messages whose seq was not an integer >= 0 (ignored; their readings decoded as usual).
      # TYPE hw_ingest_seq_invalid_total counter
      hw_ingest_seq_invalid_total 0
      # HELP hw_ingest_gateway_readings_total Readings by gateway and validation outcome, each delivery.
      # TYPE hw_ingest_gateway_readings_total counter
      # HELP hw_ingest_rows_written_total Rows inserted into storage.
      # TYPE hw_ingest_rows_written_total counter
      hw_ingest_rows_written_total 0
      # HELP hw_ingest_batches_written_total Batches committed.
      # TYPE hw_ingest_batches_written_total counter
      hw_ingest_batches_written_total 0
      # HELP hw_ingest_storage_retries_total Failed batch writes that were retried.
      # TYPE hw_ingest_storage_retries_total counter
      hw_ingest_storage_retries_total 0
      # HELP hw_ingest_dead_letters_written_total Dead letters stored.
      # TYPE hw_ingest_dead_letters_written_total counter
      hw_ingest_dead_letters_written_total 0
      # HELP hw_ingest_dead_letters_truncated_total Dead letters stored with their raw payload cut to deadLetters.maxRawBytes.
      # TYPE hw_ingest_dead_letters_truncated_total counter
      hw_ingest_dead_letters_truncated_total 0
      # HELP hw_ingest_dead_letters_dropped_total Dead letters counted but not stored, by reason.
      # TYPE hw_ingest_dead_letters_dropped_total counter
      hw_ingest_dead_letters_dropped_total{reason="rate_limited"} 0
      hw_ingest_dead_letters_dropped_total{reason="queue_full"} 0
      hw_ingest_dead_letters_dropped_total{reason="refused"} 0
      # HELP hw_ingest_batches_poisoned_total Batches whose write failed for good; their rows were dead-lettered as storage_rejected.
      # TYPE hw_ingest_batches_poisoned_total counter
      hw_ingest_batches_poisoned_total 0
      # HELP hw_ingest_durable_work_failed_total Work attached to a batch (alarm persistence) that failed for good and was skipped.
      # TYPE hw_ingest_durable_work_failed_total counter
      hw_ingest_durable_work_failed_total 0
      # HELP hw_ingest_gateway_status_writes_total Gateway status upserts (one per flush), by outcome.
      # TYPE hw_ingest_gateway_status_writes_total counter
      hw_ingest_gateway_status_writes_total{outcome="ok"} 0
      hw_ingest_gateway_status_writes_total{outcome="failed"} 0
      # HELP hw_ingest_unknown_gateway_status_total Status messages of gateways the site does not know: counted only (no presence, no gateway_status row, no alarm).
      # TYPE hw_ingest_unknown_gateway_status_total counter
      hw_ingest_unknown_gateway_status_total 0
      # HELP hw_ingest_retained_deaths_ignored_total Retained death status messages, delivered at a subscribe, of gateways heard from within their offline timeout: not taken.
      # TYPE hw_ingest_retained_deaths_ignored_total counter
      hw_ingest_retained_deaths_ignored_total 0
      # HELP hw_ingest_data_loss_reports_total Gateway data_loss reports by storage outcome: stored, duplicate (already stored), not_stored (refused or storage away).
      # TYPE hw_ingest_data_loss_reports_total counter
      hw_ingest_data_loss_reports_total{outcome="stored"} 0
      hw_ingest_data_loss_reports_total{outcome="duplicate"} 0
      hw_ingest_data_loss_reports_total{outcome="not_stored"} 0
      # HELP hw_ingest_buffered_rows Rows accepted but not yet durable.
      # TYPE hw_ingest_buffered_rows gauge
      hw_ingest_buffered_rows 0
      # HELP hw_ingest_unacknowledged_messages Messages received whose acknowledgement is held.
      # TYPE hw_ingest_unacknowledged_messages gauge
      hw_ingest_unacknowledged_messages 0
      # HELP hw_ingest_storage_healthy 1 while batch writes succeed.
      # TYPE hw_ingest_storage_healthy gauge
      hw_ingest_storage_healthy 0
      # HELP hw_ingest_broker_connected 1 while connected to the broker.
      # TYPE hw_ingest_broker_connected gauge
      hw_ingest_broker_connected 1
      "
    `);
  });

  it('notification deliveries per channel and outcome, when the outbox worker runs', async () => {
    const text = await ingestMetricsText(new IngestCounters(), {
      bufferedRows: 0,
      unacknowledgedMessages: 0,
      storageHealthy: true,
      brokerConnected: true,
      notifications: new Map([
        ['sms', { delivered: 3, retried: 2, failed: 1 }],
        ['wecom-e1', { delivered: 4, retried: 0, failed: 0 }],
      ]),
    });
    const family = withoutBlankLines(text)
      .split('\n')
      .filter((l) => l.includes('hw_ingest_notifications_total'));
    expect(family).toEqual([
      '# HELP hw_ingest_notifications_total Notification delivery attempts by channel and outcome: delivered, retried (failed, will try again), failed (given up).',
      '# TYPE hw_ingest_notifications_total counter',
      'hw_ingest_notifications_total{channel="sms",outcome="delivered"} 3',
      'hw_ingest_notifications_total{channel="sms",outcome="retried"} 2',
      'hw_ingest_notifications_total{channel="sms",outcome="failed"} 1',
      'hw_ingest_notifications_total{channel="wecom-e1",outcome="delivered"} 4',
      'hw_ingest_notifications_total{channel="wecom-e1",outcome="retried"} 0',
      'hw_ingest_notifications_total{channel="wecom-e1",outcome="failed"} 0',
    ]);
  });
});
