import { MonitoringChangeRepository, type SqlClient } from '@hazardwatch/store';
import { E1, NOW, PARK_A } from './api-fixture.js';

/**
 * `count` pending monitoring changes of E1 (ids 1…count in a fresh database), for the route tables.
 * Their stored `before` matches nothing, so an approval fails (409) and never edits the site.
 */
export async function seedPendingChanges(client: SqlClient, count = 3): Promise<void> {
  const repo = new MonitoringChangeRepository(client);
  for (let i = 0; i < count; i += 1) {
    await repo.record({
      enterprise: E1,
      region: PARK_A,
      targetType: 'point',
      targetId: `${E1}/SIT-1190`,
      lines: [{ kind: 'monitoring.point.disable', field: 'enabled', before: true, after: false }],
      before: { seeded: true },
      after: { seeded: true, enabled: false },
      edit: {
        op: 'update',
        entity: 'point',
        key: { enterprise: E1, tag: 'SIT-1190' },
        patch: { enabled: false },
      },
      reason: 'seeded for the route tables',
      requestedBy: 'smE1',
      requestedRole: 'safety_manager',
      requestedAt: NOW,
      status: 'pending',
      siteVersion: null,
    });
  }
}
