import { describe, expect, it } from 'vitest';
import { LegacySessionDrain } from '@hazardwatch/ingest';
import { providedServices } from '@hazardwatch/testkit';
import { logger, uid } from './support.js';

/**
 * LegacySessionDrain on a broker with no single worker's session (every fresh fleet, at every
 * takeover of partition 0): it must answer at once that there is none, and leave none behind —
 * resuming the id with clean = false makes a session, which is deleted again. Before, the drain
 * waited for its idle time, reported the session "not drained", left the session it had made,
 * and the next try warned of a single worker's session left at the broker that was its own.
 */
const { mqttUrl } = providedServices();

describe('LegacySessionDrain with no old session', () => {
  it('answers present:false, deletes what its probe made, and finds nothing the next time', async () => {
    const drain = new LegacySessionDrain({
      url: mqttUrl,
      clientId: uid('hw-t-legacy-'),
      protocolVersion: 4,
      connectTimeoutMs: 5_000,
      filters: ['hw/v1/+/+/telemetry'],
      logger,
    });
    expect(await drain.run()).toEqual({ present: false, republished: 0, deleted: true });
    expect(await drain.run()).toEqual({ present: false, republished: 0, deleted: true });
    await drain.stop();
  });
});
