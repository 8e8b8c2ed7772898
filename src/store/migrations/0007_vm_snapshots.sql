CREATE TABLE "vm_snapshots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"project" text NOT NULL,
	"source_vm_id" uuid NOT NULL,
	"driver" text NOT NULL,
	"worker_id" text,
	"image" text,
	"vcpus" integer NOT NULL,
	"memory_mib" integer NOT NULL,
	"state_path" text,
	"size_bytes" bigint,
	"status" text DEFAULT 'pending' NOT NULL,
	"status_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vm_snapshots_status_check" CHECK ("vm_snapshots"."status" IN ('pending', 'ready', 'failed')),
	CONSTRAINT "vm_snapshots_driver_check" CHECK ("vm_snapshots"."driver" IN ('process', 'docker', 'qemu', 'firecracker'))
);
--> statement-breakpoint
ALTER TABLE "vm_snapshots" ADD CONSTRAINT "vm_snapshots_source_vm_id_vms_id_fk" FOREIGN KEY ("source_vm_id") REFERENCES "public"."vms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "vm_snapshots_project_created_idx" ON "vm_snapshots" USING btree ("project","created_at");--> statement-breakpoint
CREATE INDEX "vm_snapshots_source_vm_idx" ON "vm_snapshots" USING btree ("source_vm_id");--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT "tasks_type_check";--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_type_check" CHECK ("tasks"."type" IN ('vm:create', 'vm:execute', 'vm:delete', 'job:run', 'vm:snapshot'));
