ALTER TABLE "vms" ADD COLUMN "restart_policy" text DEFAULT 'never' NOT NULL;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "restart_max" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "restarts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_restart_policy_check" CHECK ("vms"."restart_policy" IN ('never', 'on-failure'));--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_restarts_check" CHECK ("vms"."restarts" >= 0 AND "vms"."restart_max" >= 0);
