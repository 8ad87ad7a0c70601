-- Parties beyond the jurisdiction (docs/regulations.md#external-parties, 转移管理办法 Arts. 21–28):
-- receivers and carriers in another city or province, registered by the city registrar with their
-- licence as declared; cross-province approvals (跨省转移) consumed as manifests are received; the
-- one-time signed links an external receiver confirms a receipt through, and the scan of a returned
-- paper copy when the generator records the receipt instead. Existing rows map: every organisation
-- registered so far is one of ours (external false), every manifest so far has no approval and a
-- receiver of ours.
ALTER TABLE "organisations" ADD COLUMN "external" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "declared_licence_number" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "declared_licence_authority" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "declared_licence_valid_from" date;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "declared_licence_valid_to" date;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "contact_email" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_external_licence_check" CHECK (NOT "external" OR ("declared_licence_number" IS NOT NULL AND "declared_licence_authority" IS NOT NULL AND "declared_licence_valid_from" IS NOT NULL AND "declared_licence_valid_to" IS NOT NULL));--> statement-breakpoint
CREATE TABLE "cross_province_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"issuing_authority" text NOT NULL,
	"generator_id" uuid NOT NULL,
	"receiver_id" uuid NOT NULL,
	"waste_codes" text[] NOT NULL,
	"approved_kg" bigint NOT NULL,
	"consumed_kg" double precision DEFAULT 0 NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "cross_province_approvals_number_unique" UNIQUE("number"),
	CONSTRAINT "cross_province_approvals_quantity_check" CHECK ("approved_kg" > 0 AND "consumed_kg" >= 0),
	CONSTRAINT "cross_province_approvals_validity_check" CHECK ("valid_from" <= "valid_to")
);
--> statement-breakpoint
ALTER TABLE "cross_province_approvals" ADD CONSTRAINT "cross_province_approvals_generator_id_organisations_id_fk" FOREIGN KEY ("generator_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cross_province_approvals" ADD CONSTRAINT "cross_province_approvals_receiver_id_organisations_id_fk" FOREIGN KEY ("receiver_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cross_province_approvals_pair_idx" ON "cross_province_approvals" USING btree ("generator_id","receiver_id");--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "receiver_external" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "cross_province_approval_id" uuid;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_cross_province_approval_id_fk" FOREIGN KEY ("cross_province_approval_id") REFERENCES "public"."cross_province_approvals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE TABLE "external_receipt_links" (
	"jti" uuid PRIMARY KEY NOT NULL,
	"manifest_id" uuid NOT NULL,
	"manifest_version" integer NOT NULL,
	"recipient" text NOT NULL,
	"link" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "external_receipt_links" ADD CONSTRAINT "external_receipt_links_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "external_receipt_links_manifest_idx" ON "external_receipt_links" USING btree ("manifest_id");--> statement-breakpoint
CREATE TABLE "manifest_receipt_copies" (
	"manifest_id" uuid PRIMARY KEY NOT NULL,
	"media_type" text NOT NULL,
	"content" bytea NOT NULL,
	"sha256" text NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "manifest_receipt_copies" ADD CONSTRAINT "manifest_receipt_copies_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;
