-- Management plans (管理计划, HJ 1259-2022 §5, appendix A) and declarations (申报, §7, appendix C)
-- of a production/operating site (docs/regulations.md#management-plans, #declarations). Both are
-- versioned: a submitted version is locked (its figures frozen in jsonb as they were drafted from
-- the ledger at submission); a change after submission is a new version that states its reason.
-- New tables: no existing row to map.
CREATE TABLE "management_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"version" integer NOT NULL,
	-- draft: the unit is editing it (figures are drafted afresh on every read); submitted: locked.
	"state" text NOT NULL,
	-- The forward-looking parts the unit edits: expected quantities per waste code, A.6 plan and measures.
	"edits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	-- The whole plan as submitted (tables A.1–A.7 and the class), null while a draft.
	"figures" jsonb,
	-- Why a version after the first was filed (§5.2: changes are filed promptly).
	"change_reason" text,
	"region_code" text NOT NULL,
	-- When the unit filed it (the national system's receipt; a filing entered later says when it was made).
	"submitted_at" timestamp with time zone,
	-- When the submission was recorded here.
	"submission_recorded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "management_plans_state_check" CHECK ("state" IN ('draft', 'submitted')),
	CONSTRAINT "management_plans_submitted_check" CHECK (("state" = 'submitted') = ("submitted_at" IS NOT NULL AND "figures" IS NOT NULL)),
	CONSTRAINT "management_plans_reason_check" CHECK ("version" = 1 OR "change_reason" IS NOT NULL)
);--> statement-breakpoint
ALTER TABLE "management_plans" ADD CONSTRAINT "management_plans_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "management_plans" ADD CONSTRAINT "management_plans_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "management_plans_site_year_version_uq" ON "management_plans" USING btree ("site_id","year","version");--> statement-breakpoint
-- Regulators list submissions of a year in their jurisdiction; the alert asks for a year's submitted plan per site.
CREATE INDEX "management_plans_year_region_idx" ON "management_plans" USING btree ("year","region_code") WHERE "state" = 'submitted';--> statement-breakpoint
CREATE TABLE "declarations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	-- 2026-10 (month), 2026-Q3 (quarter) or 2026 (year).
	"period" text NOT NULL,
	"period_kind" text NOT NULL,
	"version" integer NOT NULL,
	-- Always submitted: a declaration is stored only when submitted (its draft is computed on read).
	"state" text DEFAULT 'submitted' NOT NULL,
	-- Per waste code: opening stock, generated, received, transferred out, in-house, closing, batch codes.
	"figures" jsonb NOT NULL,
	"change_reason" text,
	"due_on" date NOT NULL,
	"region_code" text NOT NULL,
	-- When the unit filed it (a filing entered later says when it was made), and when it was recorded here.
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "declarations_kind_check" CHECK ("period_kind" IN ('month', 'quarter', 'year')),
	CONSTRAINT "declarations_state_check" CHECK ("state" = 'submitted'),
	CONSTRAINT "declarations_reason_check" CHECK ("version" = 1 OR "change_reason" IS NOT NULL)
);--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "declarations" ADD CONSTRAINT "declarations_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "declarations_site_period_version_uq" ON "declarations" USING btree ("site_id","period","version");--> statement-breakpoint
CREATE INDEX "declarations_region_period_idx" ON "declarations" USING btree ("region_code","period");
