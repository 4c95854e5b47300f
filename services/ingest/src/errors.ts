import { defineErrors } from '@hazardwatch/kit';

/** Error registry of @hazardwatch/ingest (STYLE rule 4). */
export const ingestErrors = defineErrors('HW_INGEST', {
  /**
   * The installed mqtt.js no longer has the private method the durable subscriber holds its
   * acknowledgements in. Ingesting without it would acknowledge readings before they are stored,
   * so the subscriber refuses to start; the package pins the mqtt version its tests guard.
   */
  HW_INGEST_MQTT_HOOK_MISSING: {
    template:
      'the installed mqtt.js has no {hook}: acknowledgements cannot be held until readings are durable',
    retryable: false,
  },
  /**
   * A notification peer did not accept a delivery for now (no answer, a timeout, an SMTP 4xx, an
   * HTTP 5xx, a rate limit): the outbox worker tries again with backoff (ChannelError).
   */
  HW_INGEST_DELIVERY_DEFERRED: { template: '{detail}', retryable: true },
  /**
   * A notification peer refused a delivery in a way retrying cannot fix (an unknown mailbox, a bad
   * number, a wrong key or signature): the delivery is recorded failed (ChannelError).
   */
  HW_INGEST_DELIVERY_REFUSED: { template: '{detail}', retryable: false },
  /**
   * An alarm-state write for a partition this worker does not hold (any more): its lease was lost
   * or handed over (issue #23). Refused before it reaches the database; the owner acts instead.
   */
  HW_INGEST_PARTITION_NOT_OWNED: {
    template: 'alarm write for partitions {partitions} refused: not held by this worker',
    retryable: false,
  },
});
