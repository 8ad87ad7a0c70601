-- Official 联单 numbers (docs/exchange.md#official-numbers): the number the national or provincial
-- system assigned to a manifest, recorded by an exchange client next to our own number. One number
-- per manifest and system, and no number twice in one system. A correction replaces the number in
-- place; the old value stays in the audit trail with the reason. A new table: no existing row to map.
CREATE TABLE "manifest_official_numbers" (
	"manifest_id" uuid NOT NULL,
	"system" text NOT NULL,
	"number" text NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"corrected_at" timestamp with time zone,
	"correction_reason" text,
	CONSTRAINT "manifest_official_numbers_manifest_id_system_pk" PRIMARY KEY("manifest_id","system"),
	CONSTRAINT "manifest_official_numbers_system_check" CHECK ("system" IN ('national', 'provincial'))
);--> statement-breakpoint
ALTER TABLE "manifest_official_numbers" ADD CONSTRAINT "manifest_official_numbers_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_official_numbers" ADD CONSTRAINT "manifest_official_numbers_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A manifest found by its official number, and the same number refused for a second manifest.
CREATE UNIQUE INDEX "manifest_official_numbers_system_number_uq" ON "manifest_official_numbers" USING btree ("system","number");
