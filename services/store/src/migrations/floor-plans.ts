import type { Migration } from './types.js';

/**
 * Floor plans of enterprises (the 风险四色图 background images), one per (enterprise, plan): `plan`
 * is `main` or a major hazard's code. Images are small (the API caps them) and change rarely, so
 * they live in the database with everything else instead of a separate object store.
 */
export const floorPlans: Migration = {
  version: 7,
  name: 'floor-plans',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE floor_plans (
        enterprise_code text NOT NULL,
        plan text NOT NULL,
        content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/svg+xml')),
        bytes bytea NOT NULL,
        -- Intrinsic size in image units (PNG pixels, SVG user units); NULL when an SVG names none.
        width double precision CHECK (width > 0),
        height double precision CHECK (height > 0),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        PRIMARY KEY (enterprise_code, plan)
      );
    `);
  },
};
