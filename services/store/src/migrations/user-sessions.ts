import type { Migration } from './types.js';

/**
 * Issue 17 item 2: access must not outlive its grant. Every access token carries the session
 * version of its user at issue; disabling, deleting or changing the role or scope of a user
 * raises it, so tokens issued before are refused at the next check (seconds, not the token's
 * 15 minutes). Same in both dialects.
 */
export const userSessions: Migration = {
  version: 12,
  name: 'user-sessions',
  async up(tx) {
    await tx.exec(`ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0;`);
  },
};
