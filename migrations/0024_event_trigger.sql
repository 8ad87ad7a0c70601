-- The trigger that writes the event stream (docs/events.md; the table is migration 0019): one event
-- per applied audit entry, with an image of the aggregate as the change left it.
-- A manifest as manifestView() reads it: the row, its carriers (with the external flag), its
-- containers joined to their labels (keys as src/manifests/manifest-view.ts loadManifestPartsOf)
-- and its official numbers; rows keep their column names (snake_case), like 'm'.
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
                        FROM manifest_labels ml JOIN labels l ON l.id = ml.label_id WHERE ml.manifest_id = m.id), '[]'::jsonb),
    'officialNumbers', coalesce((SELECT jsonb_agg(to_jsonb(o) ORDER BY o.system COLLATE "C")
                                 FROM manifest_official_numbers o WHERE o.manifest_id = m.id), '[]'::jsonb))
  FROM manifests m WHERE m.id = p_id
$$;
--> statement-breakpoint
CREATE FUNCTION audit_entry_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_snapshot jsonb;
  v_other text;
BEGIN
  -- Refusals change nothing. Client credentials and webhook subscriptions (the relay's own
  -- configuration) are audited like every change but not broadcast on the stream.
  IF NEW.outcome <> 'applied' OR NEW.entity_type IN ('client', 'webhook_subscription') THEN
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
