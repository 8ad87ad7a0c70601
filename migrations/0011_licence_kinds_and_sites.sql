-- Sites (生产经营场所, HJ 1259-2022 §4.2.1) and licence kinds (docs/regulations.md#licence-kinds).
--
-- Sites: every organisation gets one default site, named after it, at its registered address and
-- region; every existing facility moves to its organisation's default site.
--
-- Licences: every row of kind `operating` is mapped (none is refused):
--   * held by an organisation with the collector role, with no mode beyond collection/storage:
--       - every waste code in HW01 (the category itself or a code ending -01) → medical_collection_point
--         (the township centres that gather village clinics' bags, docs/regulations.md#collection-approvals);
--       - otherwise → collection_pilot (the small-source collection points);
--   * every other operating licence → comprehensive (危险废物综合经营许可证).
--   None maps to `collection` (危险废物收集经营许可证): the old model had no such licence.
--   Non-transport licences are placed at their holder's default site; transport licences have none.
-- Indicator inputs: `gdp_10k_cny` rows are not mapped (GDP is not industrial value added); they stay
-- as history, the indicators no longer read them, and the listing leaves them out.
CREATE TABLE "sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"region_code" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "sites_org_name_uq" ON "sites" USING btree ("org_id","name");
--> statement-breakpoint
CREATE UNIQUE INDEX "sites_org_default_uq" ON "sites" USING btree ("org_id") WHERE is_default;
--> statement-breakpoint
INSERT INTO "sites" ("org_id", "name", "address", "region_code", "is_default", "created_at")
SELECT "id", "name", "address", "region_code", true, "created_at" FROM "organisations";
--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "site_id" uuid;
--> statement-breakpoint
UPDATE "facilities" f SET "site_id" = s."id" FROM "sites" s WHERE s."org_id" = f."org_id" AND s."is_default";
--> statement-breakpoint
ALTER TABLE "facilities" ALTER COLUMN "site_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "facilities_site_idx" ON "facilities" USING btree ("site_id");
--> statement-breakpoint
ALTER TABLE "licences" ADD COLUMN "site_id" uuid;
--> statement-breakpoint
ALTER TABLE "licences" ADD CONSTRAINT "licences_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
UPDATE "licences" l SET "kind" = CASE
    WHEN 'collector' = ANY(o."roles") AND l."modes" <@ ARRAY['collection', 'storage']::text[] THEN
      CASE WHEN cardinality(l."waste_codes") > 0
             AND NOT EXISTS (SELECT 1 FROM unnest(l."waste_codes") AS c WHERE c <> 'HW01' AND c NOT LIKE '%-01')
           THEN 'medical_collection_point' ELSE 'collection_pilot' END
    ELSE 'comprehensive' END
FROM "organisations" o WHERE o."id" = l."org_id" AND l."kind" = 'operating';
--> statement-breakpoint
UPDATE "licences" l SET "site_id" = s."id" FROM "sites" s
WHERE s."org_id" = l."org_id" AND s."is_default" AND l."kind" <> 'transport';
