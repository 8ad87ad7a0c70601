-- Method codes as the national reporting picklists list them (docs/regulations.md#treatment-methods):
-- R10–R14, C4 and C5 are in no official list and are no longer accepted. Where they configure what
-- happens next (a facility's methods, a manifest's intended method) they are mapped to the listed
-- code of the same meaning: R12 生产建筑材料 → C2, R13 清洗包装容器 → C3, the other utilisation codes
-- (R10 fertiliser, R11 soil treatment, R14 pretreatment) → R15 其他, C4 and C5 → D16 其他. Recorded
-- history (label_steps, ledger_records, audit_entries) keeps the code as it was recorded.
CREATE FUNCTION pg_temp.listed_method(code text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE code WHEN 'R12' THEN 'C2' WHEN 'R13' THEN 'C3'
                   WHEN 'R10' THEN 'R15' WHEN 'R11' THEN 'R15' WHEN 'R14' THEN 'R15'
                   WHEN 'C4' THEN 'D16' WHEN 'C5' THEN 'D16' ELSE code END
$$;
--> statement-breakpoint
UPDATE facilities SET methods = ARRAY(SELECT DISTINCT pg_temp.listed_method(m) FROM unnest(methods) AS m ORDER BY 1)
WHERE methods && ARRAY['R10', 'R11', 'R12', 'R13', 'R14', 'C4', 'C5'];
--> statement-breakpoint
UPDATE manifests SET intended_method = pg_temp.listed_method(intended_method)
WHERE intended_method IN ('R10', 'R11', 'R12', 'R13', 'R14', 'C4', 'C5');
