import type { Migration } from './types.js';

/**
 * 23 (issue #20 item 1): a reading's value may be stored as an exact scaled integer. Same in both
 * dialects.
 *
 * The raw table becomes `readings_encoded` with two more columns: `value_int` bigint and `scale`
 * smallint, both NULL for a row whose value is the float8 in `value` (every row stored before
 * this version, and NaN, ±Infinity, -0, 0.1 + 0.2 …), both set for a row whose value is
 * value_int / 10^scale exactly (then `value` holds a 0 the view ignores). The writer decides per
 * row (scaled-values.ts); on TimescaleDB a quantised series compresses to ~1 byte a value instead
 * of ~7 with Gorilla XOR on the doubles.
 *
 * `readings` is now a view with the columns it always had, `value` computed exactly: every reader
 * — history, latest values, rollups, the evaluators' restore, reports, benches, operators' SQL and
 * an older process during a rolling upgrade — reads the doubles that were written, without each
 * having to know the encoding (a reader that forgot it would read the placeholder 0). The view is
 * inlined by the planner: partition pruning, chunk exclusion and the indexes work as on the table.
 * The powers of ten are literals (exact doubles, no pow()); the division is float8 / float8, IEEE
 * correctly rounded as in JS.
 *
 * INSERT into the view (fixtures, hand-written SQL, an older writer's COPY) stores the float8 as
 * given through an INSTEAD OF trigger, skipping a (point_id, ts) already stored — readings are
 * idempotent on it — so the statement's row count is the rows new. DELETE works on the view as on
 * the table (it is auto-updatable for everything but `value`).
 *
 * Cheap on a database of any size: a rename, two nullable columns without default (catalog
 * only, allowed on compressed hypertables) and a view. Nothing is rewritten: old rows, compressed
 * or not, read as before. `value` keeps its NOT NULL (TimescaleDB before 2.18 refuses DROP NOT NULL
 * on a hypertable with compression). The partitions (plain), chunks, indexes and TimescaleDB
 * policies follow the renamed table; the policies keep their identities (`retention:readings`).
 */
export const scaledValues: Migration = {
  version: 23,
  name: 'scaled-values',
  async up(tx) {
    await tx.exec(`
      ALTER TABLE readings RENAME TO readings_encoded;
      ALTER TABLE readings_encoded ADD COLUMN value_int bigint, ADD COLUMN scale smallint;

      CREATE VIEW readings AS
        SELECT point_id, ts,
               CASE WHEN scale IS NULL THEN value
                    ELSE value_int::float8
                         / ('{1,10,100,1000,10000,100000,1000000,10000000,100000000,1000000000}'::float8[])[scale + 1]
               END AS value,
               quality
        FROM readings_encoded;
      ALTER VIEW readings ALTER COLUMN quality SET DEFAULT 0;

      CREATE FUNCTION hw_readings_insert() RETURNS trigger LANGUAGE plpgsql AS $ri$
      BEGIN
        INSERT INTO readings_encoded (point_id, ts, value, quality)
          VALUES (NEW.point_id, NEW.ts, NEW.value, coalesce(NEW.quality, 0))
          ON CONFLICT DO NOTHING;
        IF FOUND THEN
          RETURN NEW;
        END IF;
        RETURN NULL;
      END
      $ri$;
      CREATE TRIGGER readings_insert INSTEAD OF INSERT ON readings
        FOR EACH ROW EXECUTE FUNCTION hw_readings_insert();
    `);
  },
};
