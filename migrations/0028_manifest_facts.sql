-- Facts of a manifest kept on its row (docs/architecture.md#manifest-facts), so the reads that
-- need them do not walk the containers: the weight the receiver accepted (the capacity check at
-- submit, the capacity list and the capacity_near_limit alert sum it per receiver and year) and the
-- waste codes and categories of its containers (the supervision manifest search filters on them).
-- They are derived from manifest_labels and labels and kept by triggers, so every write path
-- (drafts, receipt, external and paper receipts, revisions) keeps them right without code of its own.
ALTER TABLE "manifests" ADD COLUMN "accepted_kg" numeric(16, 3) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "waste_codes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "categories" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Recomputes the facts of the given manifests from their containers: accepted_kg as
-- src/manifests/received-weight.ts always summed it (accepted containers, measured weight where
-- weighed, else declared), the codes and categories distinct and sorted. A row whose facts did not
-- change is not written (no new row version, no index entries). PL/pgSQL, not SQL: a SQL function's
-- body is planned again on every call (~9 ms for this UPDATE on a loaded machine), a PL/pgSQL
-- statement's plan is kept for the session.
CREATE FUNCTION manifest_facts_refresh(p_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE manifests m SET accepted_kg = f.accepted_kg, waste_codes = f.waste_codes, categories = f.categories
  FROM (
    SELECT x.id,
           coalesce(sum(coalesce(ml.measured_kg, ml.declared_kg)) FILTER (WHERE ml.accepted), 0) AS accepted_kg,
           coalesce(array_agg(DISTINCT l.waste_code ORDER BY l.waste_code) FILTER (WHERE l.waste_code IS NOT NULL), '{}') AS waste_codes,
           coalesce(array_agg(DISTINCT l.category ORDER BY l.category) FILTER (WHERE l.category IS NOT NULL), '{}') AS categories
    FROM (SELECT DISTINCT unnest(p_ids) AS id) x
    LEFT JOIN manifest_labels ml ON ml.manifest_id = x.id
    LEFT JOIN labels l ON l.id = ml.label_id
    GROUP BY x.id
  ) f
  WHERE m.id = f.id
    AND (m.accepted_kg, m.waste_codes, m.categories) IS DISTINCT FROM (f.accepted_kg, f.waste_codes, f.categories);
END
$$;--> statement-breakpoint
-- Statement-level, with transition tables: one recomputation per statement for the manifests it
-- touched (a receipt's containers are updated in one statement), whatever the number of rows.
CREATE FUNCTION manifest_labels_facts_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM manifest_facts_refresh(ARRAY(SELECT DISTINCT manifest_id FROM new_rows));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION manifest_labels_facts_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM manifest_facts_refresh(ARRAY(SELECT DISTINCT manifest_id FROM old_rows));
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Only rows whose weights, outcome or keys changed count: a receipt's reported mismatches, written
-- row by row after the outcomes, change no fact and cost no recomputation.
CREATE FUNCTION manifest_labels_facts_update() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_ids uuid[];
BEGIN
  v_ids := ARRAY(
    SELECT manifest_id FROM (
      (SELECT manifest_id, label_id, declared_kg, accepted, measured_kg FROM new_rows
       EXCEPT SELECT manifest_id, label_id, declared_kg, accepted, measured_kg FROM old_rows)
      UNION ALL
      (SELECT manifest_id, label_id, declared_kg, accepted, measured_kg FROM old_rows
       EXCEPT SELECT manifest_id, label_id, declared_kg, accepted, measured_kg FROM new_rows)
    ) changed);
  IF cardinality(v_ids) > 0 THEN
    PERFORM manifest_facts_refresh(v_ids);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER manifest_labels_facts_insert AFTER INSERT ON manifest_labels
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION manifest_labels_facts_insert();--> statement-breakpoint
CREATE TRIGGER manifest_labels_facts_update AFTER UPDATE ON manifest_labels
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION manifest_labels_facts_update();--> statement-breakpoint
CREATE TRIGGER manifest_labels_facts_delete AFTER DELETE ON manifest_labels
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION manifest_labels_facts_delete();--> statement-breakpoint
-- A label's waste code or category changes only by an approved revision (src/manifests/revision-apply.ts):
-- then every manifest it is on takes the new code. Row-level with a column list and a WHEN, not
-- statement-level: PostgreSQL allows no transition tables on an UPDATE trigger with a column list,
-- and without the list every custody step (custody_apply updates labels, never these columns) would
-- pay for capturing its rows. With the list the trigger is not even queued by those updates.
CREATE FUNCTION labels_facts_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM manifest_facts_refresh(ARRAY(SELECT manifest_id FROM manifest_labels WHERE label_id = NEW.id));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER labels_facts_update AFTER UPDATE OF waste_code, category ON labels
  FOR EACH ROW WHEN (OLD.waste_code IS DISTINCT FROM NEW.waste_code OR OLD.category IS DISTINCT FROM NEW.category)
  EXECUTE FUNCTION labels_facts_update();--> statement-breakpoint
-- The existing rows.
UPDATE manifests m SET accepted_kg = f.accepted_kg, waste_codes = f.waste_codes, categories = f.categories
FROM (
  SELECT ml.manifest_id AS id,
         coalesce(sum(coalesce(ml.measured_kg, ml.declared_kg)) FILTER (WHERE ml.accepted), 0) AS accepted_kg,
         array_agg(DISTINCT l.waste_code ORDER BY l.waste_code) AS waste_codes,
         array_agg(DISTINCT l.category ORDER BY l.category) AS categories
  FROM manifest_labels ml JOIN labels l ON l.id = ml.label_id
  GROUP BY ml.manifest_id
) f
WHERE m.id = f.id;--> statement-breakpoint
-- The manifest search's waste-code and category filters (waste_codes @> ARRAY[code]).
CREATE INDEX "manifests_waste_codes_idx" ON "manifests" USING gin ("waste_codes");--> statement-breakpoint
CREATE INDEX "manifests_categories_idx" ON "manifests" USING gin ("categories");
