-- Audit entries and their events written a set at a time (docs/architecture.md#one-statement-steps).
-- Before: audit_append inserted each entry with its own INSERT and the event trigger ran once per
-- entry; a batch of 500 labels ran 500 INSERTs, 500 trigger calls and 500 label look-ups. Now each
-- chain's entries go in as one INSERT (hashes still computed one after the other, each on the one
-- before), and the event trigger runs once per INSERT over its transition table. What is written is
-- unchanged: the same hash inputs and hashes, one event per applied entry (none for clients and
-- webhook subscriptions), in audit order, each with the image of its aggregate at the end of the
-- statement, as the AFTER ROW trigger saw it (after-row triggers also fire at the statement's end).
CREATE OR REPLACE FUNCTION audit_append(
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
  v_idx int[];
  v_seqs bigint[];
  v_prevs text[];
  v_hashes text[];
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
    v_idx := '{}'; v_seqs := '{}'; v_prevs := '{}'; v_hashes := '{}';
    FOR i IN 1 .. cardinality(p_chains) LOOP
      CONTINUE WHEN p_chains[i] <> v_chain;
      v_seq := v_seq + 1;
      v_hash := encode(sha256(convert_to(audit_hash_input(
        v_chain, v_seq, v_prev, v_at, p_org_id, p_client_id, p_request_id,
        p_entity_types[i], p_entity_ids[i], p_actions[i], p_outcomes[i], p_befores[i], p_afters[i]), 'UTF8')), 'hex');
      v_idx := array_append(v_idx, i);
      v_seqs := array_append(v_seqs, v_seq);
      v_prevs := array_append(v_prevs, v_prev);
      v_hashes := array_append(v_hashes, v_hash);
      v_prev := v_hash;
    END LOOP;
    INSERT INTO audit_entries (chain, chain_seq, prev_hash, hash, entity_type, entity_id, action, outcome, before, after,
                               recorded_at, org_id, client_id, request_id, hash_scheme)
    SELECT v_chain, u.chain_seq, u.prev_hash, u.hash, p_entity_types[u.i], p_entity_ids[u.i], p_actions[u.i], p_outcomes[u.i],
           p_befores[u.i]::jsonb, p_afters[u.i]::jsonb, v_at, p_org_id, p_client_id, p_request_id, 1
    FROM unnest(v_idx, v_seqs, v_prevs, v_hashes) WITH ORDINALITY AS u(i, chain_seq, prev_hash, hash, n)
    ORDER BY u.n;
    UPDATE audit_chains SET head_seq = v_seq, head_hash = v_prev WHERE chain = v_chain;
  END LOOP;
END
$$;
--> statement-breakpoint
DROP TRIGGER audit_entries_event ON audit_entries;
--> statement-breakpoint
DROP FUNCTION audit_entry_event();
--> statement-breakpoint
-- The events of the entries one INSERT added (migration 0024 has the row-at-a-time original):
-- refusals change nothing, and client credentials and webhook subscriptions (the relay's own
-- configuration) are audited but not broadcast. A label's image is its row; a manifest's is
-- manifest_snapshot(), and its receiver's region is the event's other region; any other
-- aggregate's is the entry's `after`. Inserted in audit order, so positions follow it.
CREATE FUNCTION audit_entries_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events (type, aggregate_type, aggregate_id, region_code, other_region_code, occurred_at, audit_seq, snapshot)
  SELECT a.entity_type || '.' || a.action, a.entity_type, a.entity_id, a.chain,
         nullif(CASE WHEN a.entity_type = 'manifest' THEN s.image #>> '{m,receiver_region_code}' END, a.chain),
         a.recorded_at, a.seq, s.image
  FROM added a
  CROSS JOIN LATERAL (SELECT CASE a.entity_type
      WHEN 'label' THEN (SELECT to_jsonb(l) FROM labels l WHERE l.id = a.entity_id::uuid)
      WHEN 'manifest' THEN manifest_snapshot(a.entity_id::uuid)
      ELSE a.after END AS image) s
  WHERE a.outcome = 'applied' AND a.entity_type NOT IN ('client', 'webhook_subscription')
  ORDER BY a.seq;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_entries_event AFTER INSERT ON audit_entries
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_events();
--> statement-breakpoint
-- Issuing writes each label once: issueLabels inserts it as its issue step leaves it, and the step
-- writer (migration 0009, otherwise unchanged) no longer updates it to that same state. A batch of
-- 500 labels was 500 inserts and then 500 updates of the same rows, each update a new row version
-- with an entry in each of the table's indexes.
CREATE OR REPLACE FUNCTION custody_write_steps(
  p_label_ids uuid[], p_versions int[], p_actions text[], p_from_states text[], p_to_states text[], p_occurred_ats timestamptz[],
  p_holder_ids uuid[], p_holder_region_codes text[], p_label_facility_ids uuid[], p_parent_ids uuid[], p_open_manifest_ids uuid[],
  p_has_left_generators bool[], p_held_sinces timestamptz[], p_org_ids uuid[], p_manifest_ids uuid[], p_facility_ids uuid[],
  p_methods text[], p_lats float8[], p_lngs float8[], p_details jsonb[], p_seqs int[],
  p_client_id text, p_request_id text,
  p_entry_label_ids uuid[], p_entry_org_ids uuid[], p_entry_kinds text[], p_entry_days date[], p_entry_facility_codes text[],
  p_entry_methods text[], p_entry_counterparty_names text[], p_entry_manifest_numbers text[],
  p_entry_quantities numeric[], p_entry_destinations text[], p_handled_by_name text, p_handled_by_id_number text
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
    WHERE l.id = s.label_id AND l.version = s.version AND s.from_state IS NOT NULL
    RETURNING l.id, l.waste_code, l.waste_name, l.category, l.physical_form, l.quantity_kg, l.digital_code, l.packaging_type
  ),
  -- An issue step's label was inserted by its transaction already as the step leaves it (state,
  -- version and step count after the step: src/labels/issue.ts), so it is not written twice.
  issued AS (
    SELECT l.id, l.waste_code, l.waste_name, l.category, l.physical_form, l.quantity_kg, l.digital_code, l.packaging_type
    FROM step s JOIN labels l ON l.id = s.label_id
    WHERE s.from_state IS NULL AND l.version = s.version + 1 AND l.step_count = s.seq AND l.state = s.to_state
  ),
  changed AS (SELECT * FROM moved UNION ALL SELECT * FROM issued),
  recorded AS (
    INSERT INTO label_steps (label_id, seq, action, from_state, to_state, org_id, client_id, manifest_id,
                             facility_id, method, lat, lng, occurred_at, request_id, details)
    SELECT s.label_id, s.seq, s.action, s.from_state, s.to_state, s.org_id, p_client_id, s.manifest_id,
           s.facility_id, s.method, s.lat, s.lng, s.occurred_at, p_request_id, s.details
    FROM step s JOIN changed m ON m.id = s.label_id
    ORDER BY s.n
    RETURNING id, label_id
  ),
  entry AS (
    SELECT * FROM unnest(p_entry_label_ids, p_entry_org_ids, p_entry_kinds, p_entry_days, p_entry_facility_codes,
                         p_entry_methods, p_entry_counterparty_names, p_entry_manifest_numbers,
                         p_entry_quantities, p_entry_destinations)
      WITH ORDINALITY AS e(label_id, org_id, kind, day, facility_code, method, counterparty_name, manifest_number,
                           quantity_kg, destination, n)
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
                                manifest_number, operator_client_id, packaging_type, container_count, destination,
                                handled_by_name, handled_by_id_number)
    SELECT e.org_id, e.label_id, r.id, e.kind, c.batch_code, s.occurred_at, m.waste_code, m.waste_name, m.category,
           m.physical_form, coalesce(e.quantity_kg, m.quantity_kg), m.digital_code, e.facility_code, e.method,
           e.counterparty_name, e.manifest_number, p_client_id, m.packaging_type, 1, e.destination,
           p_handled_by_name, p_handled_by_id_number
    FROM entry e
    JOIN step s ON s.label_id = e.label_id
    JOIN changed m ON m.id = e.label_id
    JOIN recorded r ON r.label_id = e.label_id
    JOIN coded c ON c.org_id = e.org_id AND c.kind = e.kind AND c.day = e.day
    ORDER BY e.n
  )
  SELECT m.id FROM changed m;
END
$$;
