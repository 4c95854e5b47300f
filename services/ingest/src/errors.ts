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
});
