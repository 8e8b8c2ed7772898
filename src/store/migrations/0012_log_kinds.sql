ALTER TABLE "log_entries" ADD COLUMN "kind" text DEFAULT 'platform' NOT NULL;--> statement-breakpoint
UPDATE "log_entries" SET "kind" = 'output' WHERE "fields"->>'source' = 'output';--> statement-breakpoint
ALTER TABLE "log_entries" ADD CONSTRAINT "log_entries_kind_check" CHECK ("log_entries"."kind" IN ('platform', 'output'));--> statement-breakpoint
CREATE INDEX "log_entries_kind_id_idx" ON "log_entries" USING btree ("kind","id");
