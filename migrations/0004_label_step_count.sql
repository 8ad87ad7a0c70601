ALTER TABLE "labels" ADD COLUMN "step_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Until now every version was a custody step, so the count of steps is the version.
UPDATE "labels" SET "step_count" = "version";
