ALTER TABLE "vms" DROP CONSTRAINT "vms_on_expiry_check";--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_on_expiry_check" CHECK ("vms"."on_expiry" IN ('stop', 'delete', 'pause'));--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "hibernated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "expiry_claimed_at" timestamp with time zone;
