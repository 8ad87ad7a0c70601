-- Emergency plan filings (应急预案备案; 固废法 Art. 85, docs/regulations.md#emergency-plans): the
-- filing of a unit's emergency plan with the authority, registered by a registrar of the unit's
-- region. A filing with no site covers every site of the organisation; one with a site covers that
-- site. A new table: no existing row to map. Existing draft manifests without emergency measures
-- are not rewritten: submit refuses them (rule emergency_measures) until the generator fills the field.
CREATE TABLE "emergency_plan_filings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid,
	"number" text NOT NULL,
	"authority" text NOT NULL,
	"filed_on" date NOT NULL,
	"valid_to" date NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "emergency_plan_filings_number_unique" UNIQUE("number"),
	CONSTRAINT "emergency_plan_filings_dates_check" CHECK ("valid_to" >= "filed_on")
);--> statement-breakpoint
ALTER TABLE "emergency_plan_filings" ADD CONSTRAINT "emergency_plan_filings_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emergency_plan_filings" ADD CONSTRAINT "emergency_plan_filings_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The alert emergency_plan_missing asks, per site, for a filing of its organisation in force today.
CREATE INDEX "emergency_plan_filings_org_idx" ON "emergency_plan_filings" USING btree ("org_id","valid_to");
