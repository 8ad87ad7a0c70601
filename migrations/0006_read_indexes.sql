CREATE INDEX "label_steps_manifest_idx" ON "label_steps" USING btree ("manifest_id","id") WHERE manifest_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "labels_state_generated_idx" ON "labels" USING btree ("state","generated_at","id");--> statement-breakpoint
CREATE INDEX "labels_category_state_held_idx" ON "labels" USING btree ("category","state","held_since");--> statement-breakpoint
CREATE INDEX "manifests_state_created_idx" ON "manifests" USING btree ("state","created_at","id");--> statement-breakpoint
CREATE INDEX "manifests_open_discrepancy_idx" ON "manifests" USING btree ("received_at") WHERE discrepant AND discrepancy_reviewed_at IS NULL;--> statement-breakpoint
CREATE INDEX "manifests_receiver_received_idx" ON "manifests" USING btree ("receiver_id","received_at");