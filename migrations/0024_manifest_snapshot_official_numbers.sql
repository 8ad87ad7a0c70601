-- A manifest's event image (0019 manifest_snapshot) gains its official numbers (0021), which the
-- manifest's public representation now shows; keys as the drizzle row (snake_case), like 'm'.
CREATE OR REPLACE FUNCTION manifest_snapshot(p_id uuid) RETURNS jsonb
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
