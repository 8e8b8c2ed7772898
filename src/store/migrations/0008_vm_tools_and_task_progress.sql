ALTER TABLE "vms" ADD COLUMN "tools" jsonb;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "progress" jsonb;
