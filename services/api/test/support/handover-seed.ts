import { HandoverRepository, type SqlClient } from '@hazardwatch/store';
import { E1, NOW, PARK_A } from './api-fixture.js';

/**
 * A pending handover of E1's duty room (id 1 in a fresh database), for the route tables (issue
 * #21). Handed over by a night-shift user the fixture does not have, so E1's operator may accept it.
 */
export async function seedPendingHandover(client: SqlClient): Promise<void> {
  const out = await new HandoverRepository(client).record({
    desk: { kind: 'enterprise', code: E1 },
    region: PARK_A,
    outgoingUser: 'opE1-night',
    outgoingRole: 'operator',
    notes: 'seeded for the route tables',
    createdAt: NOW - 60_000,
    snapshot: { takenAt: NOW - 60_000, alarms: [], alarmTotal: 0, warnings: [], warningTotal: 0 },
  });
  if (!out.ok) throw new Error(`a handover of ${E1} is pending already (${out.pendingId})`);
}
