-- Paper manifests and their back-entry (转移管理办法 Art. 20, docs/regulations.md#paper-manifests):
-- a manifest entered from a paper form says so (origin paper, the form's number), keeps the form's
-- scan, and when its receipt was entered; a party declares a paper transfer as it starts, and the
-- declaration stays open on the alerts until the manifest is entered.
ALTER TABLE "manifests" ADD COLUMN "origin" text DEFAULT 'electronic' NOT NULL;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "paper_number" text;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "paper_entered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "paper_scan_media_type" text;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "paper_scan_bytes" integer;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "paper_scan_sha256" text;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_origin_check" CHECK ("origin" IN ('electronic', 'paper') AND ("origin" = 'paper') = ("paper_number" IS NOT NULL));--> statement-breakpoint
CREATE UNIQUE INDEX "manifests_paper_number_uq" ON "manifests" USING btree ("paper_number") WHERE "paper_number" IS NOT NULL;--> statement-breakpoint
CREATE TABLE "manifest_paper_scans" (
	"manifest_id" uuid PRIMARY KEY NOT NULL,
	"media_type" text NOT NULL,
	"content" bytea NOT NULL,
	"sha256" text NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "manifest_paper_scans" ADD CONSTRAINT "manifest_paper_scans_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE TABLE "paper_transfers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"paper_number" text NOT NULL,
	"org_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"client_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "paper_transfers" ADD CONSTRAINT "paper_transfers_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "paper_transfers_org_number_uq" ON "paper_transfers" USING btree ("org_id","paper_number");--> statement-breakpoint
CREATE INDEX "paper_transfers_region_idx" ON "paper_transfers" USING btree ("region_code","started_at");
