CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"roles" text[] NOT NULL,
	"secret_hash" text NOT NULL,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"generator_id" uuid NOT NULL,
	"receiver_id" uuid NOT NULL,
	"waste_code" text NOT NULL,
	"approval_no" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exemptions_approvalNo_unique" UNIQUE("approval_no")
);
--> statement-breakpoint
CREATE TABLE "facilities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"storage_type" text,
	"capacity_kg" bigint,
	"methods" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicator_inputs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"year" integer NOT NULL,
	"region_code" text NOT NULL,
	"key" text NOT NULL,
	"value" jsonb NOT NULL,
	"entered_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"inspector_org_id" uuid NOT NULL,
	"date" date NOT NULL,
	"passed" boolean NOT NULL,
	"findings" text DEFAULT '' NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "insurance_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"policy_no" text NOT NULL,
	"insurer" text NOT NULL,
	"coverage_cny" bigint,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "insurance_policies_policyNo_unique" UNIQUE("policy_no")
);
--> statement-breakpoint
CREATE TABLE "licences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"number" text NOT NULL,
	"modes" text[] DEFAULT '{}'::text[] NOT NULL,
	"waste_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"annual_capacity_kg" bigint,
	"valid_from" date NOT NULL,
	"valid_to" date NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"uscc" text NOT NULL,
	"name" text NOT NULL,
	"roles" text[] NOT NULL,
	"region_code" text NOT NULL,
	"generator_class" text,
	"medical_tier" text,
	"contact_name" text NOT NULL,
	"contact_phone" text NOT NULL,
	"address" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "organisations_uscc_unique" UNIQUE("uscc")
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"private_jwk" jsonb NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"licence_id" uuid NOT NULL,
	"plate" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vehicles_plate_unique" UNIQUE("plate")
);
--> statement-breakpoint
CREATE TABLE "audit_chains" (
	"chain" text PRIMARY KEY NOT NULL,
	"head_seq" bigint DEFAULT 0 NOT NULL,
	"head_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_checkpoints" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_checkpoints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"jws" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_entries_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"chain" text NOT NULL,
	"chain_seq" bigint NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"org_id" uuid,
	"client_id" text,
	"request_id" text,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"client_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"body" jsonb NOT NULL,
	"headers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_client_id_key_pk" PRIMARY KEY("client_id","key")
);
--> statement-breakpoint
CREATE TABLE "label_sequences" (
	"generator_id" uuid NOT NULL,
	"waste_code" text NOT NULL,
	"day" date NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "label_sequences_generator_id_waste_code_day_pk" PRIMARY KEY("generator_id","waste_code","day")
);
--> statement-breakpoint
CREATE TABLE "label_steps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "label_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"label_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"manifest_id" uuid,
	"facility_id" uuid,
	"method" text,
	"lat" double precision,
	"lng" double precision,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"request_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "labels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"digital_code" text NOT NULL,
	"qr_token" text NOT NULL,
	"generator_id" uuid NOT NULL,
	"holder_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"waste_code" text NOT NULL,
	"category" text NOT NULL,
	"waste_name" text NOT NULL,
	"physical_form" text NOT NULL,
	"hazards" text[] NOT NULL,
	"main_components" text NOT NULL,
	"harmful_components" text NOT NULL,
	"precautions" text NOT NULL,
	"quantity_kg" numeric(14, 3) NOT NULL,
	"packaging_type" text NOT NULL,
	"volume_l" numeric(10, 1),
	"generated_at" timestamp with time zone NOT NULL,
	"generated_on" date NOT NULL,
	"sequence" integer NOT NULL,
	"facility_id" uuid,
	"remarks" text DEFAULT '' NOT NULL,
	"state" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"parent_id" uuid,
	"open_manifest_id" uuid,
	"has_left_generator" boolean DEFAULT false NOT NULL,
	"holder_region_code" text NOT NULL,
	"held_since" timestamp with time zone NOT NULL,
	"last_step_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "labels_digitalCode_unique" UNIQUE("digital_code")
);
--> statement-breakpoint
CREATE TABLE "ledger_records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" uuid NOT NULL,
	"label_id" uuid NOT NULL,
	"step_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"batch_code" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"waste_code" text NOT NULL,
	"waste_name" text NOT NULL,
	"category" text NOT NULL,
	"physical_form" text NOT NULL,
	"quantity_kg" numeric(14, 3) NOT NULL,
	"digital_code" text NOT NULL,
	"facility_code" text,
	"method" text,
	"counterparty_name" text,
	"manifest_number" text,
	"operator_client_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_serials" (
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"day" date NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "ledger_serials_org_id_kind_day_pk" PRIMARY KEY("org_id","kind","day")
);
--> statement-breakpoint
CREATE TABLE "manifest_carriers" (
	"manifest_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"org_id" uuid NOT NULL,
	"vehicle_plate" text,
	"driver_name" text,
	"driver_qualification_no" text,
	"took_over_at" timestamp with time zone,
	CONSTRAINT "manifest_carriers_manifest_id_position_pk" PRIMARY KEY("manifest_id","position")
);
--> statement-breakpoint
CREATE TABLE "manifest_labels" (
	"manifest_id" uuid NOT NULL,
	"label_id" uuid NOT NULL,
	"declared_kg" numeric(14, 3) NOT NULL,
	"accepted" boolean,
	"measured_kg" numeric(14, 3),
	"refusal_reason" text,
	CONSTRAINT "manifest_labels_manifest_id_label_id_pk" PRIMARY KEY("manifest_id","label_id")
);
--> statement-breakpoint
CREATE TABLE "manifest_serials" (
	"city_code" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "manifest_serials_city_code_year_pk" PRIMARY KEY("city_code","year")
);
--> statement-breakpoint
CREATE TABLE "manifest_steps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "manifest_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"manifest_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"org_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"request_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manifests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text,
	"state" text NOT NULL,
	"generator_id" uuid NOT NULL,
	"receiver_id" uuid NOT NULL,
	"region_code" text NOT NULL,
	"receiver_region_code" text NOT NULL,
	"planned_at" timestamp with time zone NOT NULL,
	"exemption_id" uuid,
	"intended_method" text,
	"emergency_measures" text DEFAULT '' NOT NULL,
	"discrepant" boolean DEFAULT false NOT NULL,
	"current_carrier" integer DEFAULT 0 NOT NULL,
	"submitted_at" timestamp with time zone,
	"picked_up_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"receipt_due_on" date,
	"received_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancel_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "manifests_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exemptions" ADD CONSTRAINT "exemptions_generator_id_organisations_id_fk" FOREIGN KEY ("generator_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exemptions" ADD CONSTRAINT "exemptions_receiver_id_organisations_id_fk" FOREIGN KEY ("receiver_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspections" ADD CONSTRAINT "inspections_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inspections" ADD CONSTRAINT "inspections_inspector_org_id_organisations_id_fk" FOREIGN KEY ("inspector_org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_policies" ADD CONSTRAINT "insurance_policies_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "licences" ADD CONSTRAINT "licences_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vehicles" ADD CONSTRAINT "vehicles_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vehicles" ADD CONSTRAINT "vehicles_licence_id_licences_id_fk" FOREIGN KEY ("licence_id") REFERENCES "public"."licences"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "label_steps" ADD CONSTRAINT "label_steps_label_id_labels_id_fk" FOREIGN KEY ("label_id") REFERENCES "public"."labels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_generator_id_organisations_id_fk" FOREIGN KEY ("generator_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_holder_id_organisations_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_carriers" ADD CONSTRAINT "manifest_carriers_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_carriers" ADD CONSTRAINT "manifest_carriers_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_labels" ADD CONSTRAINT "manifest_labels_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_labels" ADD CONSTRAINT "manifest_labels_label_id_labels_id_fk" FOREIGN KEY ("label_id") REFERENCES "public"."labels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifest_steps" ADD CONSTRAINT "manifest_steps_manifest_id_manifests_id_fk" FOREIGN KEY ("manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_generator_id_organisations_id_fk" FOREIGN KEY ("generator_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_receiver_id_organisations_id_fk" FOREIGN KEY ("receiver_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_exemption_id_exemptions_id_fk" FOREIGN KEY ("exemption_id") REFERENCES "public"."exemptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "clients_org_idx" ON "clients" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "exemptions_pair_idx" ON "exemptions" USING btree ("generator_id","receiver_id");--> statement-breakpoint
CREATE UNIQUE INDEX "facilities_org_code_uq" ON "facilities" USING btree ("org_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_inputs_uq" ON "indicator_inputs" USING btree ("year","region_code","key");--> statement-breakpoint
CREATE INDEX "inspections_region_date_idx" ON "inspections" USING btree ("region_code","date");--> statement-breakpoint
CREATE INDEX "insurance_org_idx" ON "insurance_policies" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "licences_kind_number_uq" ON "licences" USING btree ("kind","number");--> statement-breakpoint
CREATE INDEX "licences_org_idx" ON "licences" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "licences_region_idx" ON "licences" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "organisations_region_idx" ON "organisations" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "vehicles_org_idx" ON "vehicles" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_chain_seq_uq" ON "audit_entries" USING btree ("chain","chain_seq");--> statement-breakpoint
CREATE INDEX "audit_entity_idx" ON "audit_entries" USING btree ("entity_type","entity_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "label_steps_label_seq_uq" ON "label_steps" USING btree ("label_id","seq");--> statement-breakpoint
CREATE INDEX "labels_region_created_idx" ON "labels" USING btree ("region_code","created_at","id");--> statement-breakpoint
CREATE INDEX "labels_generator_idx" ON "labels" USING btree ("generator_id","created_at");--> statement-breakpoint
CREATE INDEX "labels_holder_state_idx" ON "labels" USING btree ("holder_id","state");--> statement-breakpoint
CREATE INDEX "labels_holder_region_idx" ON "labels" USING btree ("holder_region_code","created_at");--> statement-breakpoint
CREATE INDEX "labels_waste_code_idx" ON "labels" USING btree ("waste_code","created_at");--> statement-breakpoint
CREATE INDEX "labels_category_idx" ON "labels" USING btree ("category","created_at");--> statement-breakpoint
CREATE INDEX "labels_state_idx" ON "labels" USING btree ("state","held_since");--> statement-breakpoint
CREATE INDEX "labels_parent_idx" ON "labels" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "ledger_org_time_idx" ON "ledger_records" USING btree ("org_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "manifest_carriers_org_idx" ON "manifest_carriers" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "manifest_labels_label_idx" ON "manifest_labels" USING btree ("label_id");--> statement-breakpoint
CREATE INDEX "manifest_steps_manifest_idx" ON "manifest_steps" USING btree ("manifest_id","id");--> statement-breakpoint
CREATE INDEX "manifests_region_created_idx" ON "manifests" USING btree ("region_code","created_at","id");--> statement-breakpoint
CREATE INDEX "manifests_receiver_region_idx" ON "manifests" USING btree ("receiver_region_code","created_at");--> statement-breakpoint
CREATE INDEX "manifests_generator_idx" ON "manifests" USING btree ("generator_id","created_at");--> statement-breakpoint
CREATE INDEX "manifests_receiver_idx" ON "manifests" USING btree ("receiver_id","created_at");--> statement-breakpoint
CREATE INDEX "manifests_state_idx" ON "manifests" USING btree ("state","receipt_due_on");