-- Return trips and the Art. 18 discrepancy report (转移管理办法 Art. 18, docs/regulations.md#return-trips):
-- a manifest is a transfer or the return of refused containers of an original manifest, from the
-- receiver that refused them back to the generator or on to another receiver it names; a receipt
-- records, per container, what differed from the manifest besides the weight.
-- Existing rows map: every manifest so far is a transfer, and no container has a recorded mismatch.
ALTER TABLE "manifests" ADD COLUMN "kind" text DEFAULT 'transfer' NOT NULL;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "original_manifest_id" uuid;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "return_from_id" uuid;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_original_manifest_id_manifests_id_fk" FOREIGN KEY ("original_manifest_id") REFERENCES "public"."manifests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_return_from_id_organisations_id_fk" FOREIGN KEY ("return_from_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manifests" ADD CONSTRAINT "manifests_kind_check" CHECK ("kind" IN ('transfer', 'return') AND ("kind" = 'return') = ("original_manifest_id" IS NOT NULL) AND ("kind" = 'return') = ("return_from_id" IS NOT NULL));--> statement-breakpoint
CREATE INDEX "manifests_original_idx" ON "manifests" USING btree ("original_manifest_id") WHERE "original_manifest_id" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "manifest_labels" ADD COLUMN "mismatches" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "manifest_labels" ADD COLUMN "mismatch_note" text;--> statement-breakpoint
ALTER TABLE "manifest_labels" ADD CONSTRAINT "manifest_labels_mismatches_check" CHECK ("mismatches" <@ ARRAY['name', 'quantity', 'characteristics', 'form', 'packaging']::text[]);
