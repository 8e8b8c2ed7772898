ALTER TABLE "vms" ADD COLUMN "ttl_seconds" integer;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "idle_timeout_seconds" integer;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "last_active_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "on_expiry" text DEFAULT 'stop' NOT NULL;--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_on_expiry_check" CHECK ("vms"."on_expiry" IN ('stop', 'delete'));--> statement-breakpoint
CREATE INDEX "vms_expires_idx" ON "vms" USING btree ("expires_at") WHERE "vms"."expires_at" IS NOT NULL OR "vms"."idle_timeout_seconds" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_type_check";--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_type_check" CHECK ("tasks"."type" IN ('vm:create', 'vm:execute', 'vm:delete', 'job:run', 'vm:snapshot', 'snapshot:delete', 'vm:stop', 'vm:start'));
