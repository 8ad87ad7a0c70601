-- A corrected receipt outcome (docs/regulations.md#manifest-corrections): a container a revision
-- accepts gets the receiver's 入库 the receipt would have written, marked `addition`; it corrects no
-- earlier record, so it names no batch code, only the revision. Existing rows all satisfy the new
-- check (it only admits one more kind).
ALTER TABLE "ledger_records" DROP CONSTRAINT "ledger_records_correction_ck";--> statement-breakpoint
ALTER TABLE "ledger_records" ADD CONSTRAINT "ledger_records_correction_ck" CHECK ("correction" IS NULL OR ("correction" IN ('reversal', 'replacement') AND "corrects_batch_code" IS NOT NULL AND "revision_id" IS NOT NULL) OR ("correction" = 'addition' AND "corrects_batch_code" IS NULL AND "revision_id" IS NOT NULL));
