-- The event stream (docs/events.md): one event per applied audit entry, written by a trigger on
-- audit_entries, so an event exists if and only if the change it describes committed (both are in
-- the change's transaction), whichever code path made the change, the one-statement custody step
-- included. Alert events are written by the alert sweep itself.
CREATE TABLE events (
  -- Insert order. Orders the events of one aggregate (its writers hold the aggregate's row lock).
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  -- The writing transaction: the feed lists events by (txid, position) and only those of
  -- transactions older than every transaction still running, so an event committed late by a long
  -- transaction is never skipped by a reader that already went past later ones.
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id text NOT NULL,
  -- The region whose regulator sees the event (the aggregate owner's home region), and for a
  -- manifest the receiver's region too.
  region_code text NOT NULL,
  other_region_code text,
  occurred_at timestamptz NOT NULL,
  audit_seq bigint,
  -- The aggregate's row(s) at this version, rendered to the public representation when read.
  snapshot jsonb
);
--> statement-breakpoint
CREATE UNIQUE INDEX events_id_uq ON events (id);
--> statement-breakpoint
CREATE INDEX events_commit_order_idx ON events (txid, position);
--> statement-breakpoint
CREATE INDEX events_aggregate_idx ON events (aggregate_type, aggregate_id, position);
--> statement-breakpoint
-- A manifest as manifestView() reads it: the row, its carriers (with the external flag) and its
-- containers joined to their labels (keys as src/manifests/manifest-view.ts loadManifestPartsOf).
CREATE FUNCTION manifest_snapshot(p_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'm', to_jsonb(m),
    'carriers', coalesce((SELECT jsonb_agg(to_jsonb(c) || jsonb_build_object('external', o.external) ORDER BY c.position)
                          FROM manifest_carriers c JOIN organisations o ON o.id = c.org_id WHERE c.manifest_id = m.id), '[]'::jsonb),
    'items', coalesce((SELECT jsonb_agg(jsonb_build_object(
                          'labelId', ml.label_id, 'digitalCode', l.digital_code, 'wasteCode', l.waste_code, 'category', l.category,
                          'state', l.state, 'declaredKg', ml.declared_kg, 'accepted', ml.accepted, 'measuredKg', ml.measured_kg,
                          'refusalReason', ml.refusal_reason, 'mismatches', to_jsonb(ml.mismatches), 'mismatchNote', ml.mismatch_note)
                          ORDER BY l.digital_code COLLATE "C")
                        FROM manifest_labels ml JOIN labels l ON l.id = ml.label_id WHERE ml.manifest_id = m.id), '[]'::jsonb))
  FROM manifests m WHERE m.id = p_id
$$;
--> statement-breakpoint
CREATE FUNCTION audit_entry_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_snapshot jsonb;
  v_other text;
BEGIN
  -- Refusals change nothing; client credentials are not broadcast.
  IF NEW.outcome <> 'applied' OR NEW.entity_type = 'client' THEN
    RETURN NULL;
  END IF;
  IF NEW.entity_type = 'label' THEN
    SELECT to_jsonb(l) INTO v_snapshot FROM labels l WHERE l.id = NEW.entity_id::uuid;
  ELSIF NEW.entity_type = 'manifest' THEN
    v_snapshot := manifest_snapshot(NEW.entity_id::uuid);
    v_other := v_snapshot #>> '{m,receiver_region_code}';
  ELSE
    v_snapshot := NEW.after;
  END IF;
  INSERT INTO events (type, aggregate_type, aggregate_id, region_code, other_region_code, occurred_at, audit_seq, snapshot)
  VALUES (NEW.entity_type || '.' || NEW.action, NEW.entity_type, NEW.entity_id, NEW.chain,
          nullif(v_other, NEW.chain), NEW.recorded_at, NEW.seq, v_snapshot);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_entries_event AFTER INSERT ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION audit_entry_event();
