-- HJ 1259 ledger fields (docs/regulations.md#ledger-records): each record carries its container's
-- packaging type and count (B.1–B.5 容器/包装类型 and 数量), the named person who handled it (经办人),
-- and for a generation record its destination (去向); a receiver's 入库 record carries the weight the
-- receiver measured rather than the declared one. Records written before this migration keep what
-- they recorded (the ledger is corrected by new records, never edited), except the packaging type,
-- which is a fact of the container and is filled in from its label.
ALTER TABLE "ledger_records" ADD COLUMN "packaging_type" text;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD COLUMN "container_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD COLUMN "destination" text;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD COLUMN "handled_by_name" text;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD COLUMN "handled_by_id_number" text;--> statement-breakpoint
UPDATE "ledger_records" r SET "packaging_type" = l."packaging_type" FROM "labels" l WHERE l."id" = r."label_id";--> statement-breakpoint
-- A client on a handset in the field (kind handset) names the person handling each step.
ALTER TABLE "clients" ADD COLUMN "kind" text DEFAULT 'system' NOT NULL;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_kind_check" CHECK ("kind" IN ('system', 'handset'));--> statement-breakpoint
-- The step functions take the new ledger inputs: replaced, not overloaded, so the old signatures go.
DROP FUNCTION custody_apply(uuid[], int[], text[], text[], text[], timestamptz[], uuid[], text[], uuid[], uuid[], uuid[], bool[],
  timestamptz[], uuid[], uuid[], uuid[], text[], float8[], float8[], jsonb[], int[], text, text, uuid[], uuid[], text[], date[],
  text[], text[], text[], text[], text[], text[], text[], text[], text[], text[], uuid, text, text, int, int, jsonb, jsonb);--> statement-breakpoint
DROP FUNCTION custody_write_steps(uuid[], int[], text[], text[], text[], timestamptz[], uuid[], text[], uuid[], uuid[], uuid[], bool[],
  timestamptz[], uuid[], uuid[], uuid[], text[], float8[], float8[], jsonb[], int[], text, text, uuid[], uuid[], text[], date[],
  text[], text[], text[], text[]);--> statement-breakpoint
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
    WHERE l.id = s.label_id AND l.version = s.version
    RETURNING l.id, l.waste_code, l.waste_name, l.category, l.physical_form, l.quantity_kg, l.digital_code, l.packaging_type
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
  p_entry_quantities numeric[], p_entry_destinations text[], p_handled_by_name text, p_handled_by_id_number text,
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
    p_entry_methods, p_entry_counterparty_names, p_entry_manifest_numbers,
    p_entry_quantities, p_entry_destinations, p_handled_by_name, p_handled_by_id_number);
  IF v_moved <> cardinality(p_label_ids) THEN
    RAISE EXCEPTION 'a label changed since it was read' USING ERRCODE = 'HW002';
  END IF;
  PERFORM audit_append(p_audit_chains, p_audit_entity_types, p_audit_entity_ids, p_audit_actions,
                       array_fill('applied'::text, ARRAY[cardinality(p_audit_chains)]), p_audit_befores, p_audit_afters,
                       p_actor_org_id, p_client_id, p_request_id);
END
$$;
