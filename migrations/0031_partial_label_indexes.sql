-- Two indexes of labels hold only the entries their queries can read (docs/architecture.md#partial-label-indexes).
-- Every write of a label row that is not a HOT update (a custody step changes indexed columns, so none
-- is) adds an entry to each index whose predicate the new row meets: these two now take one only for
-- a label inside a container (parent_id set) and for medical waste (HW01), instead of for every label.
-- labels_parent_idx: every query asks for the labels of one parent (parent_id = x, which implies NOT NULL).
-- labels_medical_held_idx replaces labels_category_state_held_idx, whose only reader is the medical-hold
-- alert (category = 'HW01'); the category is then the predicate, not a column.
DROP INDEX "labels_category_state_held_idx";--> statement-breakpoint
DROP INDEX "labels_parent_idx";--> statement-breakpoint
CREATE INDEX "labels_medical_held_idx" ON "labels" USING btree ("state","held_since","holder_region_code") WHERE category = 'HW01';--> statement-breakpoint
CREATE INDEX "labels_parent_idx" ON "labels" USING btree ("parent_id") WHERE parent_id IS NOT NULL;