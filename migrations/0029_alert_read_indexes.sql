-- The alert emergency_plan_missing sums each organisation's labels of the last 12 months
-- (src/supervision/emergency-plan-alerts.ts). labels_generator_idx gains the columns that sum reads
-- (the day, the state, the weight, and the id its consolidation-parent check probes with), so it is
-- an index-only range per organisation instead of a visit of every label's heap row. Same leading
-- columns: it still serves every query that used it.
DROP INDEX "labels_generator_idx";--> statement-breakpoint
CREATE INDEX "labels_generator_idx" ON "labels" USING btree ("generator_id","generated_at","generated_on","state","quantity_kg","id");
