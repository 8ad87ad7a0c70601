DROP INDEX "labels_state_idx";--> statement-breakpoint
DROP INDEX "labels_category_state_held_idx";--> statement-breakpoint
CREATE INDEX "labels_state_idx" ON "labels" USING btree ("state","held_since","holder_region_code");--> statement-breakpoint
CREATE INDEX "labels_category_state_held_idx" ON "labels" USING btree ("category","state","held_since","holder_region_code");