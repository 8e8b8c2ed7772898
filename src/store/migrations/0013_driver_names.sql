ALTER TABLE "vms" DROP CONSTRAINT "vms_driver_check";--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_driver_check" CHECK ("vms"."driver" ~ '^[a-z][a-z0-9-]{0,31}$');--> statement-breakpoint
ALTER TABLE "vm_snapshots" DROP CONSTRAINT "vm_snapshots_driver_check";--> statement-breakpoint
ALTER TABLE "vm_snapshots" ADD CONSTRAINT "vm_snapshots_driver_check" CHECK ("vm_snapshots"."driver" ~ '^[a-z][a-z0-9-]{0,31}$');
