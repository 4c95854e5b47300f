import type { Migration } from './types.js';

/**
 * 16 (issue #19, the 预警 loop): the action protocol gains 督办 (`warning.urge`) and 核查
 * (`warning.verify`), forwarded like the other 预警 steps; the events of a 预警 are read by
 * warning and type for the record (its deadlines and texts). Same in both dialects.
 */
export const warningLoop: Migration = {
  version: 16,
  name: 'warning-urge-verify',
  async up(tx) {
    await tx.exec(`
      ALTER TABLE alarm_action_requests DROP CONSTRAINT alarm_action_requests_kind_check;
      ALTER TABLE alarm_action_requests ADD CONSTRAINT alarm_action_requests_kind_check
        CHECK (kind IN ('alarm.act', 'warning.sign', 'warning.feedback', 'warning.urge', 'warning.verify', 'warning.close'));
      CREATE INDEX warnings_closed_at_idx ON warnings (closed_at) WHERE closed_at IS NOT NULL;
    `);
  },
};
