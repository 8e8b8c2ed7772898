ALTER TABLE "vm_snapshots" DROP CONSTRAINT "vm_snapshots_status_check";--> statement-breakpoint
ALTER TABLE "vm_snapshots" ADD CONSTRAINT "vm_snapshots_status_check" CHECK ("vm_snapshots"."status" IN ('pending', 'ready', 'failed', 'deleting', 'deleted'));--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_type_check";--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_type_check" CHECK ("tasks"."type" IN ('vm:create', 'vm:execute', 'vm:delete', 'job:run', 'vm:snapshot', 'snapshot:delete'));
