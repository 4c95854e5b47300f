import type { Migration } from './types.js';

/**
 * 22 (issue #23, docs/operations.md §5.1 item 5): a region's four-colour state is rolled up in
 * the database over ALL its enterprises, whichever worker evaluates them. Same in both dialects
 * (small tables).
 *
 * Each worker's roll-up sees only the alarms of its own enterprises, so it knows its enterprises'
 * colours exactly but a region's only partly. `enterprise_colours` holds every enterprise's
 * colour as its owner last stored it (in the same statement as the alarm rows that caused it),
 * with the region chain the owner's site puts it in. `region_colours` holds each region's colour:
 * the highest over the enterprises whose chain names it.
 *
 * `hw_region_colours` is the only writer of both. It takes a transaction advisory lock per
 * touched region (class 0x48570005, key hashtext(code), in key order: no deadlock between two
 * writers), then stores the enterprises' states, then recomputes each region with a fresh query.
 * The function is VOLATILE and the service runs READ COMMITTED, so that query sees every
 * enterprise state committed before the lock was granted: of two workers changing two
 * enterprises of one region at once, the second to get the lock computes from both, and a
 * region's changes are stored (colour_events, whose id is taken under the lock: increasing in
 * commit order per region) and returned once, by the writer that made them, for it to push.
 * The region chain of an enterprise stored before is recomputed as well (an enterprise moved to
 * another region by a site edit leaves its old region).
 *
 * region_colours starts from the last region change each worker stored before this version;
 * enterprise_colours starts empty and is filled by each worker at its next start (the restore).
 */
export const regionColours: Migration = {
  version: 22,
  name: 'region-colours',
  async up(tx) {
    await tx.exec(`
      CREATE TABLE enterprise_colours (
        enterprise text PRIMARY KEY,
        -- NULL: no counted alarm (normal).
        colour text CHECK (colour IN ('blue', 'yellow', 'orange', 'red')),
        -- Its region and the region's ancestors, innermost first, as its owner's site has them.
        regions text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX enterprise_colours_regions_idx ON enterprise_colours USING gin (regions)
        WHERE colour IS NOT NULL;
      CREATE TABLE region_colours (
        code text PRIMARY KEY,
        colour text CHECK (colour IN ('blue', 'yellow', 'orange', 'red')),
        -- The colour_events row of the change that set it (the change number clients order by).
        event_id bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO region_colours (code, colour, event_id)
        SELECT DISTINCT ON (code) code, to_colour, id FROM colour_events
        WHERE level = 'region' ORDER BY code, id DESC;

      CREATE FUNCTION hw_region_colours(
        p_enterprises text[], p_colours text[], p_chains jsonb, p_regions text[], p_ts_ms float8
      ) RETURNS TABLE (change_id bigint, region text, was_colour text, new_colour text)
      LANGUAGE plpgsql VOLATILE AS $rc$
      DECLARE
        touched text[];
        lock_key integer;
        r text;
        r_was text;
        r_now text;
        r_id bigint;
      BEGIN
        IF coalesce(cardinality(p_enterprises), 0) <> coalesce(cardinality(p_colours), 0)
           OR coalesce(cardinality(p_enterprises), 0) <> jsonb_array_length(p_chains) THEN
          RAISE EXCEPTION 'hw_region_colours: % enterprises, % colours, % chains',
            cardinality(p_enterprises), cardinality(p_colours), jsonb_array_length(p_chains)
            USING ERRCODE = '22023';
        END IF;
        -- Regions given, the new chains, and the chains stored before (only the enterprise's
        -- owner writes its row, so reading it before the lock races nobody).
        SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}') INTO touched FROM (
          SELECT unnest(p_regions) AS x
          UNION ALL SELECT unnest(e.regions) FROM enterprise_colours e WHERE e.enterprise = ANY (p_enterprises)
          UNION ALL SELECT jsonb_array_elements_text(c) FROM jsonb_array_elements(p_chains) AS c
        ) AS s;
        FOR lock_key IN SELECT DISTINCT hashtext(x) FROM unnest(touched) AS x ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(1213661189, lock_key);
        END LOOP;
        INSERT INTO enterprise_colours AS e (enterprise, colour, regions, updated_at)
          SELECT DISTINCT ON (t.enterprise) t.enterprise, t.colour,
                 ARRAY(SELECT jsonb_array_elements_text(p_chains -> (t.n::int - 1))), now()
          FROM unnest(p_enterprises, p_colours) WITH ORDINALITY AS t(enterprise, colour, n)
          ORDER BY t.enterprise, t.n DESC
        ON CONFLICT (enterprise) DO UPDATE
          SET colour = excluded.colour, regions = excluded.regions, updated_at = excluded.updated_at;
        FOREACH r IN ARRAY touched LOOP
          -- A fresh snapshot (VOLATILE, READ COMMITTED): every enterprise committed before the lock.
          SELECT e.colour INTO r_now FROM enterprise_colours e
            WHERE e.regions @> ARRAY[r] AND e.colour IS NOT NULL
            ORDER BY CASE e.colour WHEN 'red' THEN 4 WHEN 'orange' THEN 3 WHEN 'yellow' THEN 2 ELSE 1 END DESC
            LIMIT 1;
          SELECT rc.colour INTO r_was FROM region_colours rc WHERE rc.code = r;
          IF r_now IS DISTINCT FROM r_was THEN
            INSERT INTO colour_events (level, code, from_colour, to_colour, ts)
              VALUES ('region', r, r_was, r_now, to_timestamp(p_ts_ms / 1000.0))
              RETURNING id INTO r_id;
            INSERT INTO region_colours AS rc (code, colour, event_id, updated_at)
              VALUES (r, r_now, r_id, now())
            ON CONFLICT (code) DO UPDATE
              SET colour = excluded.colour, event_id = excluded.event_id, updated_at = excluded.updated_at;
            change_id := r_id;
            region := r;
            was_colour := r_was;
            new_colour := r_now;
            RETURN NEXT;
          END IF;
        END LOOP;
      END
      $rc$;
    `);
  },
};
