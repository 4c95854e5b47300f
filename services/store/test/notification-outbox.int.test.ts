import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deliveriesOf,
  migrate,
  NotificationOutbox,
  sqlClientFromPg,
  type SqlClient,
} from '@hazardwatch/store';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { silentLogger } from './support/logger.js';

const T0 = Date.UTC(2026, 11, 7, 8, 0, 0);

describe('NotificationOutbox (PostgreSQL)', () => {
  let db: TestDatabase;
  let client: SqlClient;
  let outbox: NotificationOutbox;

  beforeEach(async () => {
    db = await createTestDatabase();
    client = sqlClientFromPg(db.pool());
    await migrate(client, { logger: silentLogger, dialect: 'postgres' });
    outbox = new NotificationOutbox(client);
  });
  afterEach(() => db.drop());

  it('lists the deliveries of a 预警 and of an alarm oldest first, in id order across a decimal digit', async () => {
    // Ids 1 to 12 in one write: as text "10" < "2". The id was selected as text and the list sorted
    // by that output column, so a 预警 with more than 9 (99, …) deliveries listed them out of order.
    await outbox.enqueue(
      Array.from({ length: 12 }, (_, i) => ({
        channel: 'sms',
        payload: { n: i },
        warningId: 'W1',
        alarmId: 'A1',
        kind: i === 0 ? 'opened' : 'reminder',
      })),
      T0,
    );
    const ofWarning = (await deliveriesOf(client, { warningId: 'W1' })).map((d) => d.id);
    expect(ofWarning).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const ofAlarm = (await deliveriesOf(client, { alarmId: 'A1' })).map((d) => d.id);
    expect(ofAlarm).toEqual(ofWarning);
    expect(await deliveriesOf(client, { warningId: 'W2' })).toEqual([]);
  });
});
