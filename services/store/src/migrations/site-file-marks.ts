import type { Migration } from './types.js';

/**
 * 24 (issue #23): which stored site versions came from a site file read at start (`from_file`).
 * A file is stored at start only when it differs from the last version stored from a file, not
 * from the newest version: a process that restarts with the same file (a leased worker after a
 * crash, `migrate` before every systemd start, `serve` at every start) no longer stores it again
 * over edits made through the API since. Versions stored before this one are unmarked; the first
 * start after the upgrade stores or marks the file as before. Same in both dialects; a catalog
 * change only.
 */
export const siteFileMarks: Migration = {
  version: 24,
  name: 'site-file-marks',
  async up(tx) {
    await tx.exec(`ALTER TABLE site_documents ADD COLUMN from_file boolean NOT NULL DEFAULT false;`);
  },
};
