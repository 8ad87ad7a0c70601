-- Corrections of a received or completed manifest (revision requests, docs/regulations.md#manifest-corrections).
-- New tables only, and two nullable columns on ledger_records: existing rows need no mapping (no
-- manifest has a revision; every existing ledger record is an original, correction IS NULL).
CREATE TABLE "manifest_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"manifest_id" uuid NOT NULL,
	"proposed_by_org_id" uuid NOT NULL,
	"proposed_by_client_id" text NOT NULL,
	"reason" text NOT NULL,
	"changes" jsonb NOT NULL,
	"before" jsonb NOT NULL,
	"state" text NOT NULL,
	"manifest_version" integer NOT NULL,
	"applied_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "manifest_revisions_state_ck" CHECK ("state" IN ('open', 'approved', 'refused', 'withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "manifest_revision_decisions" (
	"revision_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"decision" text NOT NULL,
	"as_regulator" boolean DEFAULT false NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "manifest_revision_decisions_revision_id_org_id_pk" PRIMARY KEY("revision_id","org_id"),
	CONSTRAINT "manifest_revision_decisions_decision_ck" CHECK ("decision" IN ('approve', 'refuse'))
);
--> statement-breakpoint
ALTER TABLE "manifest_revisions" ADD CONSTRAINT "manifest_revisions_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_revisions" ADD CONSTRAINT "manifest_revisions_proposed_by_org_id_organisations_id_fk" FOREIGN KEY ("proposed_by_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_revision_decisions" ADD CONSTRAINT "manifest_revision_decisions_revision_id_manifest_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."manifest_revisions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "manifest_revisions_manifest_idx" ON "manifest_revisions" USING btree ("manifest_id","created_at");--> statement-breakpoint
-- At most one open request per manifest, also under concurrent proposals.
CREATE UNIQUE INDEX "manifest_revisions_one_open_uq" ON "manifest_revisions" USING btree ("manifest_id") WHERE "state" = 'open';--> statement-breakpoint
-- Correcting ledger records: a reversal (the corrected record's values, quantity negated) and a
-- replacement (the corrected values), both naming the batch code they correct and the revision.
ALTER TABLE "ledger_records" ADD COLUMN "correction" text;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD COLUMN "corrects_batch_code" text;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD COLUMN "revision_id" uuid;--> statement-breakpoint
ALTER TABLE "ledger_records" ADD CONSTRAINT "ledger_records_correction_ck" CHECK ("correction" IS NULL OR ("correction" IN ('reversal', 'replacement') AND "corrects_batch_code" IS NOT NULL AND "revision_id" IS NOT NULL));
