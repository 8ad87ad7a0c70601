-- GPS fixes of the carriers' legs (docs/regulations.md#route-record, 转移管理办法 Art. 11), kept 10
-- years: range-partitioned by month on the fix time, so a month is one table to scan, archive or
-- drop, and compact rows (coordinates as integer micro-degrees, ~0.1 m; small integers for speed,
-- heading and accuracy). No foreign key to manifests: the route checks the manifest, and a
-- per-row FK check would halve the insert rate of the batches.
CREATE TABLE track_fixes (
  manifest_id uuid NOT NULL,
  at timestamptz NOT NULL,
  -- When the fix arrived here: late (offline-buffered) fixes are told apart from live ones.
  received_at timestamptz NOT NULL DEFAULT now(),
  lat_e6 integer NOT NULL,
  lng_e6 integer NOT NULL,
  -- The carrier leg (manifest_carriers.position) the fix belongs to.
  position smallint NOT NULL,
  speed_kmh smallint,
  heading_deg smallint,
  accuracy_m smallint,
  -- Faster than TRACK_MAX_SPEED_KMH from its neighbour: kept as evidence, left out of the route.
  implausible boolean NOT NULL DEFAULT false,
  -- The client's id of the fix: a re-post or an overlapping batch inserts nothing twice.
  fix_id text NOT NULL,
  -- A unique key of a partitioned table must contain the partition key (at): the same fix (id and
  -- time) is stored once. It is also the per-leg index the route reads (manifest, leg, time).
  CONSTRAINT track_fixes_pk PRIMARY KEY (manifest_id, position, at, fix_id)
) PARTITION BY RANGE (at);
--> statement-breakpoint
-- Fixes dated outside every monthly partition (far past or future) land here rather than fail.
CREATE TABLE track_fixes_default PARTITION OF track_fixes DEFAULT;
--> statement-breakpoint
-- The partition of one month, made if missing. Rows of that month already in the default partition
-- are moved into it first (attaching a range that the default holds rows of would fail).
CREATE FUNCTION track_fixes_month_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  m_start date := date_trunc('month', p_month)::date;
  -- Months in UTC whatever the session's time zone, so every partition's bounds agree.
  t_start timestamptz := m_start::timestamp AT TIME ZONE 'UTC';
  t_end timestamptz := (m_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  part text := format('track_fixes_%s', to_char(m_start, 'YYYY_MM'));
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN false; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE track_fixes INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  EXECUTE format('WITH moved AS (DELETE FROM track_fixes_default WHERE at >= %L::timestamptz AND at < %L::timestamptz RETURNING *)
                  INSERT INTO %I SELECT * FROM moved', t_start, t_end, part);
  EXECUTE format('ALTER TABLE track_fixes ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, t_start, t_end);
  RETURN true;
END
$$;
--> statement-breakpoint
-- Partitions from p_from's month for p_months months; how many were made. The server calls it at
-- start and daily to keep a year ahead (src/tracks/partitions.ts).
CREATE FUNCTION track_fixes_ensure_partitions(p_from date, p_months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE made integer := 0;
BEGIN
  -- Several servers may run it at once: one at a time, the others then find the months made.
  PERFORM pg_advisory_xact_lock(hashtext('track_fixes_ensure_partitions'));
  FOR i IN 0 .. p_months - 1 LOOP
    IF track_fixes_month_partition((date_trunc('month', p_from) + make_interval(months => i))::date) THEN made := made + 1; END IF;
  END LOOP;
  RETURN made;
END
$$;
--> statement-breakpoint
-- 2024 to 2027 at once; later months by the server (src/tracks/partitions.ts), earlier ones on demand.
SELECT track_fixes_ensure_partitions('2024-01-01', 48);
--> statement-breakpoint
-- Routes a regulator approved for a generator–receiver pair (docs/regulations.md#route-alerts): the
-- corridor of a transfer between them is measured from this path instead of the straight line.
-- The newest route valid on the pickup day applies; a new registration supersedes the older ones.
CREATE TABLE approved_routes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  generator_id uuid NOT NULL REFERENCES organisations(id),
  receiver_id uuid NOT NULL REFERENCES organisations(id),
  -- The generator's region: its regulator registers the route.
  region_code text NOT NULL,
  name text NOT NULL,
  -- [[lng, lat], …] (GeoJSON order), at least two points.
  path jsonb NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  created_by_org_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT approved_routes_validity_ck CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
--> statement-breakpoint
CREATE INDEX approved_routes_pair_idx ON approved_routes (generator_id, receiver_id, valid_from);
--> statement-breakpoint
CREATE INDEX approved_routes_region_idx ON approved_routes (region_code);
