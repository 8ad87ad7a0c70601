-- A receipt is on time when it is recorded in time (转移管理办法 Art. 18, docs/regulations.md#receipt-deadline):
-- the manifest keeps when its receipt was recorded beside when it says it happened (received_at),
-- and whether that was after the deadline. Existing receipts are mapped from their receive step's
-- recorded_at; a manifest without a deadline (calendar not loaded) keeps receipt_late NULL.
ALTER TABLE "manifests" ADD COLUMN "receipt_recorded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "receipt_late" boolean;--> statement-breakpoint
UPDATE "manifests" m SET "receipt_recorded_at" = s.recorded_at
  FROM (SELECT manifest_id, min(recorded_at) AS recorded_at FROM manifest_steps WHERE action = 'receive' GROUP BY manifest_id) s
  WHERE s.manifest_id = m.id;--> statement-breakpoint
UPDATE "manifests" SET "receipt_late" = (("receipt_recorded_at" AT TIME ZONE 'Asia/Shanghai')::date > "receipt_due_on")
  WHERE "receipt_recorded_at" IS NOT NULL AND "receipt_due_on" IS NOT NULL;--> statement-breakpoint
-- The late_report alert (docs/regulations.md#late-report) reads steps recorded long after they say
-- they happened. Only such steps enter these indexes (LATE_REPORT_HOURS is at least 1), so the hot
-- custody write pays nothing for an on-time step.
CREATE INDEX "label_steps_late_report_idx" ON "label_steps" USING btree ("recorded_at")
  WHERE "recorded_at" - "occurred_at" > interval '1 hour';--> statement-breakpoint
CREATE INDEX "manifest_steps_late_report_idx" ON "manifest_steps" USING btree ("recorded_at")
  WHERE "recorded_at" - "occurred_at" > interval '1 hour';--> statement-breakpoint
-- Storage-extension approvals (固废法 Art. 81, docs/regulations.md#storage-extensions): the licensing
-- authority lets a licensed operator store longer than one year, for named containers or for one
-- of its storage facilities, until valid_to.
CREATE TABLE "storage_extensions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"org_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"label_ids" uuid[] DEFAULT '{}' NOT NULL,
	"facility_id" uuid,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "storage_extensions_number_unique" UNIQUE("number"),
	CONSTRAINT "storage_extensions_covers_one" CHECK (("facility_id" IS NULL) <> (cardinality("label_ids") = 0))
);--> statement-breakpoint
ALTER TABLE "storage_extensions" ADD CONSTRAINT "storage_extensions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "storage_extensions" ADD CONSTRAINT "storage_extensions_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "storage_extensions_org_idx" ON "storage_extensions" USING btree ("org_id","valid_to");
