ALTER TABLE "vms" DROP CONSTRAINT "vms_status_check";--> statement-breakpoint
ALTER TABLE "vms" ADD CONSTRAINT "vms_status_check" CHECK ("vms"."status" IN ('pending', 'creating', 'running', 'paused', 'stopping', 'stopped', 'deleted', 'failed', 'lost'));--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_type_check";--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_type_check" CHECK ("tasks"."type" IN ('vm:create', 'vm:execute', 'vm:delete', 'job:run', 'vm:snapshot', 'snapshot:delete', 'vm:stop', 'vm:start', 'vm:pause', 'vm:resume'));
