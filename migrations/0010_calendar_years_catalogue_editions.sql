-- Working-day calendar years loaded through the API (docs/regulations.md#working-day-calendar);
-- the years bundled with the code stay the seed, so no existing row needs a year here.
CREATE TABLE "calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"holidays" date[] NOT NULL,
	"workdays" date[] NOT NULL,
	"source" text NOT NULL,
	"loaded_by" uuid NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- The catalogue edition a label's code was classified under (docs/regulations.md#catalogue-editions).
-- Existing labels are mapped to '2021': it is the only edition the code has ever checked codes against.
ALTER TABLE "labels" ADD COLUMN "catalogue_edition" text;
--> statement-breakpoint
UPDATE "labels" SET "catalogue_edition" = '2021';
--> statement-breakpoint
ALTER TABLE "labels" ALTER COLUMN "catalogue_edition" SET NOT NULL;
--> statement-breakpoint
-- 900-000-XX codes are tied to a 危险废物鉴别 report: its reference is required on new labels.
-- Labels issued before this change have none and are kept as they are (NOT VALID: the check
-- applies to rows written from now on, not to history).
ALTER TABLE "labels" ADD COLUMN "identification_report_no" text;
--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_identification_report_ck"
	CHECK ("waste_code" NOT LIKE '900-000-%' OR "identification_report_no" IS NOT NULL) NOT VALID;
--> statement-breakpoint
-- The deliveries whose receipt deadline waits for a calendar year (src/calendar/pending-deadlines.ts):
-- few at any time, looked for after each load and by the periodic refresh.
CREATE INDEX "manifests_receipt_due_pending_idx" ON "manifests" USING btree ("id") WHERE receipt_due_on IS NULL AND delivered_at IS NOT NULL;
