ALTER TABLE "audit_entries" ADD COLUMN "hash_scheme" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
-- The write path of a custody step as database functions, so that a step is one round trip
-- (docs/architecture.md#one-statement-steps). Changing any of them is a new migration with
-- CREATE OR REPLACE; the TypeScript side names them in src/labels/custody.ts and src/audit/trail.ts.

-- A string (or null) as JSON, byte for byte as JavaScript's JSON.stringify writes it (PostgreSQL
-- escapes the same characters the same way: \" \\ \b \f \n \r \t and \u00xx for other controls).
CREATE FUNCTION audit_json_string(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(to_json(v)::text, 'null') $$;
--> statement-breakpoint
-- Hash scheme 1: the RFC 8785 (JCS) text of the entry's hashed fields, keys in JCS order. `before`
-- and `after` arrive as JCS text already (written by src/audit/canonical-json.ts); the verifier
-- recomputes the same text from the stored jsonb. recorded_at is at millisecond precision.
CREATE FUNCTION audit_hash_input(
  p_chain text, p_chain_seq bigint, p_prev_hash text, p_recorded_at timestamptz, p_org_id uuid, p_client_id text,
  p_request_id text, p_entity_type text, p_entity_id text, p_action text, p_outcome text, p_before text, p_after text
) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT '{"action":' || audit_json_string(p_action)
    || ',"after":' || coalesce(p_after, 'null')
    || ',"before":' || coalesce(p_before, 'null')
    || ',"chain":' || audit_json_string(p_chain)
    || ',"chainSeq":' || p_chain_seq::text
    || ',"clientId":' || audit_json_string(p_client_id)
    || ',"entityId":' || audit_json_string(p_entity_id)
    || ',"entityType":' || audit_json_string(p_entity_type)
    || ',"orgId":' || audit_json_string(p_org_id::text)
    || ',"outcome":' || audit_json_string(p_outcome)
    || ',"prevHash":' || audit_json_string(p_prev_hash)
    || ',"recordedAt":' || audit_json_string(to_char(p_recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || ',"requestId":' || audit_json_string(p_request_id)
    || '}'
$$;
--> statement-breakpoint
-- Appends entries (array order within each chain) to their chains and moves each chain's head.
-- Heads are locked one chain at a time in chain order (COLLATE "C"), so two writers touching the
-- same chains cannot deadlock; a chain that does not exist yet starts at its genesis.
CREATE FUNCTION audit_append(
  p_chains text[], p_entity_types text[], p_entity_ids text[], p_actions text[], p_outcomes text[],
  p_befores text[], p_afters text[], p_org_id uuid, p_client_id text, p_request_id text
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_chain text;
  v_seq bigint;
  v_prev text;
  v_hash text;
  v_at timestamptz;
  i int;
BEGIN
  FOR v_chain IN SELECT d.c FROM (SELECT DISTINCT c FROM unnest(p_chains) AS c) d ORDER BY d.c COLLATE "C" LOOP
    SELECT head_seq, head_hash INTO v_seq, v_prev FROM audit_chains WHERE chain = v_chain FOR UPDATE;
    IF NOT FOUND THEN
      INSERT INTO audit_chains (chain, head_seq, head_hash) VALUES (v_chain, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
      SELECT head_seq, head_hash INTO v_seq, v_prev FROM audit_chains WHERE chain = v_chain FOR UPDATE;
    END IF;
    -- Taken under the head's lock: times never go backwards along a chain (clock permitting).
    v_at := date_trunc('milliseconds', clock_timestamp());
    FOR i IN 1 .. cardinality(p_chains) LOOP
      CONTINUE WHEN p_chains[i] <> v_chain;
      v_seq := v_seq + 1;
      v_hash := encode(sha256(convert_to(audit_hash_input(
        v_chain, v_seq, v_prev, v_at, p_org_id, p_client_id, p_request_id,
        p_entity_types[i], p_entity_ids[i], p_actions[i], p_outcomes[i], p_befores[i], p_afters[i]), 'UTF8')), 'hex');
      INSERT INTO audit_entries (chain, chain_seq, prev_hash, hash, entity_type, entity_id, action, outcome, before, after,
                                 recorded_at, org_id, client_id, request_id, hash_scheme)
      VALUES (v_chain, v_seq, v_prev, v_hash, p_entity_types[i], p_entity_ids[i], p_actions[i], p_outcomes[i],
              p_befores[i]::jsonb, p_afters[i]::jsonb, v_at, p_org_id, p_client_id, p_request_id, 1);
      v_prev := v_hash;
    END LOOP;
    UPDATE audit_chains SET head_seq = v_seq, head_hash = v_prev WHERE chain = v_chain;
  END LOOP;
END
$$;
--> statement-breakpoint
-- All custody steps of a request in one statement. Inputs are column arrays (one element per step,
-- one per ledger entry), unnested into the relations `step` and `entry`.
-- - `moved` updates each label only if it is still at the version the caller read; it sets every
--   column a step may change, with the values the caller computed from that row.
-- - `recorded` writes a step for each moved label, in step order (ids follow that order).
-- - `coded` takes one HJ 1259 batch code per organisation, kind and day for the whole request:
--   prefix + YYYYMMDD + serial of three digits as the standard shows (a busier day grows a fourth
--   rather than fail, hence greatest(): lpad alone would truncate). Counter rows are taken in key
--   order so that requests needing several of them cannot deadlock.
-- - the ledger records join the three.
-- Returns the moved labels' ids: a label missing from them was not at its version.
CREATE FUNCTION custody_write_steps(
  p_label_ids uuid[], p_versions int[], p_actions text[], p_from_states text[], p_to_states text[], p_occurred_ats timestamptz[],
  p_holder_ids uuid[], p_holder_region_codes text[], p_label_facility_ids uuid[], p_parent_ids uuid[], p_open_manifest_ids uuid[],
  p_has_left_generators bool[], p_held_sinces timestamptz[], p_org_ids uuid[], p_manifest_ids uuid[], p_facility_ids uuid[],
  p_methods text[], p_lats float8[], p_lngs float8[], p_details jsonb[], p_seqs int[],
  p_client_id text, p_request_id text,
  p_entry_label_ids uuid[], p_entry_org_ids uuid[], p_entry_kinds text[], p_entry_days date[], p_entry_facility_codes text[],
  p_entry_methods text[], p_entry_counterparty_names text[], p_entry_manifest_numbers text[]
) RETURNS SETOF uuid
-- PL/pgSQL rather than SQL: PL/pgSQL keeps the statement's plan for the session, a SQL function
-- with data-modifying CTEs would be planned again on every call.
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH step AS (
    SELECT * FROM unnest(
      p_label_ids, p_versions, p_actions, p_from_states, p_to_states, p_occurred_ats,
      p_holder_ids, p_holder_region_codes, p_label_facility_ids, p_parent_ids, p_open_manifest_ids, p_has_left_generators, p_held_sinces,
      p_org_ids, p_manifest_ids, p_facility_ids, p_methods, p_lats, p_lngs, p_details, p_seqs
    ) WITH ORDINALITY AS s(
      label_id, version, action, from_state, to_state, occurred_at,
      holder_id, holder_region_code, label_facility_id, parent_id, open_manifest_id, has_left_generator, held_since,
      org_id, manifest_id, facility_id, method, lat, lng, details, seq, n)
  ),
  moved AS (
    UPDATE labels l SET
      state = s.to_state, version = s.version + 1, last_step_at = s.occurred_at,
      holder_id = s.holder_id, holder_region_code = s.holder_region_code, facility_id = s.label_facility_id,
      parent_id = s.parent_id, open_manifest_id = s.open_manifest_id, has_left_generator = s.has_left_generator,
      held_since = s.held_since, step_count = s.seq
    FROM step s
    WHERE l.id = s.label_id AND l.version = s.version
    RETURNING l.id, l.waste_code, l.waste_name, l.category, l.physical_form, l.quantity_kg, l.digital_code
  ),
  recorded AS (
    INSERT INTO label_steps (label_id, seq, action, from_state, to_state, org_id, client_id, manifest_id,
                             facility_id, method, lat, lng, occurred_at, request_id, details)
    SELECT s.label_id, s.seq, s.action, s.from_state, s.to_state, s.org_id, p_client_id, s.manifest_id,
           s.facility_id, s.method, s.lat, s.lng, s.occurred_at, p_request_id, s.details
    FROM step s JOIN moved m ON m.id = s.label_id
    ORDER BY s.n
    RETURNING id, label_id
  ),
  entry AS (
    SELECT * FROM unnest(p_entry_label_ids, p_entry_org_ids, p_entry_kinds, p_entry_days, p_entry_facility_codes,
                         p_entry_methods, p_entry_counterparty_names, p_entry_manifest_numbers)
      WITH ORDINALITY AS e(label_id, org_id, kind, day, facility_code, method, counterparty_name, manifest_number, n)
  ),
  coded AS (
    INSERT INTO ledger_serials (org_id, kind, day, last)
    SELECT org_id, kind, day, 1 FROM (SELECT DISTINCT org_id, kind, day FROM entry) k
    ORDER BY org_id, kind COLLATE "C", day
    ON CONFLICT (org_id, kind, day) DO UPDATE SET last = ledger_serials.last + 1
    RETURNING org_id, kind, day,
      kind || to_char(day, 'YYYYMMDD') || lpad(last::text, greatest(3, length(last::text)), '0') AS batch_code
  ),
  ledger AS (
    INSERT INTO ledger_records (org_id, label_id, step_id, kind, batch_code, occurred_at, waste_code, waste_name, category,
                                physical_form, quantity_kg, digital_code, facility_code, method, counterparty_name,
                                manifest_number, operator_client_id)
    SELECT e.org_id, e.label_id, r.id, e.kind, c.batch_code, s.occurred_at, m.waste_code, m.waste_name, m.category,
           m.physical_form, m.quantity_kg, m.digital_code, e.facility_code, e.method, e.counterparty_name,
           e.manifest_number, p_client_id
    FROM entry e
    JOIN step s ON s.label_id = e.label_id
    JOIN moved m ON m.id = e.label_id
    JOIN recorded r ON r.label_id = e.label_id
    JOIN coded c ON c.org_id = e.org_id AND c.kind = e.kind AND c.day = e.day
    ORDER BY e.n
  )
  SELECT m.id FROM moved m;
END
$$;
--> statement-breakpoint
-- A request's custody steps as one statement in autocommit (the one-statement path): the
-- Idempotency-Key claimed with the answer the caller computed, the labels locked in id order, the
-- steps, ledger records and batch codes written, the audit entries appended (their chain heads
-- locked last). A label no longer at the version the caller read raises HW002 (the caller reads
-- again and re-checks); a key already claimed raises HW001 (the caller replays the stored answer).
CREATE FUNCTION custody_apply(
  p_label_ids uuid[], p_versions int[], p_actions text[], p_from_states text[], p_to_states text[], p_occurred_ats timestamptz[],
  p_holder_ids uuid[], p_holder_region_codes text[], p_label_facility_ids uuid[], p_parent_ids uuid[], p_open_manifest_ids uuid[],
  p_has_left_generators bool[], p_held_sinces timestamptz[], p_org_ids uuid[], p_manifest_ids uuid[], p_facility_ids uuid[],
  p_methods text[], p_lats float8[], p_lngs float8[], p_details jsonb[], p_seqs int[],
  p_client_id text, p_request_id text,
  p_entry_label_ids uuid[], p_entry_org_ids uuid[], p_entry_kinds text[], p_entry_days date[], p_entry_facility_codes text[],
  p_entry_methods text[], p_entry_counterparty_names text[], p_entry_manifest_numbers text[],
  p_audit_chains text[], p_audit_entity_types text[], p_audit_entity_ids text[], p_audit_actions text[],
  p_audit_befores text[], p_audit_afters text[], p_actor_org_id uuid,
  p_idem_key text, p_idem_request_hash text, p_idem_ttl_hours int, p_status int, p_body jsonb, p_headers jsonb
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_moved int;
BEGIN
  IF p_idem_key IS NOT NULL THEN
    -- A concurrent request with the same key waits here until this one commits, then finds it.
    INSERT INTO idempotency_keys AS k (client_id, key, request_hash, status_code, body, headers)
    VALUES (p_client_id, p_idem_key, p_idem_request_hash, p_status, p_body, p_headers)
    ON CONFLICT (client_id, key) DO UPDATE
      SET request_hash = excluded.request_hash, status_code = excluded.status_code, body = excluded.body,
          headers = excluded.headers, created_at = now()
      WHERE k.created_at <= now() - make_interval(hours => p_idem_ttl_hours);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'Idempotency-Key % was used before', p_idem_key USING ERRCODE = 'HW001';
    END IF;
  END IF;
  PERFORM 1 FROM labels WHERE id = ANY(p_label_ids) ORDER BY id FOR UPDATE;
  SELECT count(*) INTO v_moved FROM custody_write_steps(
    p_label_ids, p_versions, p_actions, p_from_states, p_to_states, p_occurred_ats,
    p_holder_ids, p_holder_region_codes, p_label_facility_ids, p_parent_ids, p_open_manifest_ids,
    p_has_left_generators, p_held_sinces, p_org_ids, p_manifest_ids, p_facility_ids,
    p_methods, p_lats, p_lngs, p_details, p_seqs, p_client_id, p_request_id,
    p_entry_label_ids, p_entry_org_ids, p_entry_kinds, p_entry_days, p_entry_facility_codes,
    p_entry_methods, p_entry_counterparty_names, p_entry_manifest_numbers);
  IF v_moved <> cardinality(p_label_ids) THEN
    RAISE EXCEPTION 'a label changed since it was read' USING ERRCODE = 'HW002';
  END IF;
  PERFORM audit_append(p_audit_chains, p_audit_entity_types, p_audit_entity_ids, p_audit_actions,
                       array_fill('applied'::text, ARRAY[cardinality(p_audit_chains)]), p_audit_befores, p_audit_afters,
                       p_actor_org_id, p_client_id, p_request_id);
END
$$;
