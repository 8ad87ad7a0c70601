DROP INDEX "labels_region_created_idx";--> statement-breakpoint
DROP INDEX "labels_generator_idx";--> statement-breakpoint
DROP INDEX "labels_holder_region_idx";--> statement-breakpoint
DROP INDEX "labels_waste_code_idx";--> statement-breakpoint
DROP INDEX "labels_category_idx";--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "discrepancy_reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "discrepancy_review_note" text;--> statement-breakpoint
CREATE INDEX "labels_region_generated_idx" ON "labels" USING btree ("region_code","generated_at","id");--> statement-breakpoint
CREATE INDEX "labels_generated_idx" ON "labels" USING btree ("generated_at","id");--> statement-breakpoint
CREATE INDEX "manifests_created_idx" ON "manifests" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "manifests_discrepant_idx" ON "manifests" USING btree ("created_at") WHERE discrepant;--> statement-breakpoint
CREATE INDEX "labels_generator_idx" ON "labels" USING btree ("generator_id","generated_at");--> statement-breakpoint
CREATE INDEX "labels_holder_region_idx" ON "labels" USING btree ("holder_region_code","generated_at");--> statement-breakpoint
CREATE INDEX "labels_waste_code_idx" ON "labels" USING btree ("waste_code","generated_at");--> statement-breakpoint
CREATE INDEX "labels_category_idx" ON "labels" USING btree ("category","generated_at");