CREATE TABLE "executions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"vm_id" uuid NOT NULL,
	"task_id" uuid,
	"job_id" uuid,
	"command" text NOT NULL,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"env" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cwd" text,
	"exit_code" integer,
	"stdout" text DEFAULT '' NOT NULL,
	"stderr" text DEFAULT '' NOT NULL,
	"stdout_truncated" boolean DEFAULT false NOT NULL,
	"stderr_truncated" boolean DEFAULT false NOT NULL,
	"timed_out" boolean DEFAULT false NOT NULL,
	"error" jsonb,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "state_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "state_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "state_changes_entity_check" CHECK ("state_changes"."entity" IN ('vm', 'task', 'job'))
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"status_reason" text,
	"priority" text DEFAULT 'default' NOT NULL,
	"payload" jsonb NOT NULL,
	"result" jsonb,
	"error" jsonb,
	"vm_id" uuid,
	"worker_id" text,
	"max_retries" integer DEFAULT 0 NOT NULL,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"timeout_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "tasks_status_check" CHECK ("tasks"."status" IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "tasks_type_check" CHECK ("tasks"."type" IN ('vm:create', 'vm:execute', 'vm:delete', 'job:run')),
	CONSTRAINT "tasks_priority_check" CHECK ("tasks"."priority" IN ('critical', 'high', 'default', 'low'))
);
--> statement-breakpoint
CREATE TABLE "vm_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"vm_id" uuid NOT NULL,
	"task_id" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"steps" jsonb NOT NULL,
	"results" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vm_jobs_status_check" CHECK ("vm_jobs"."status" IN ('pending', 'running', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "vms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"driver" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"status_reason" text,
	"vcpus" integer NOT NULL,
	"memory_mib" integer NOT NULL,
	"worker_id" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"isolation" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	CONSTRAINT "vms_status_check" CHECK ("vms"."status" IN ('pending', 'creating', 'running', 'stopping', 'stopped', 'deleted', 'failed', 'lost')),
	CONSTRAINT "vms_driver_check" CHECK ("vms"."driver" IN ('process', 'docker', 'qemu', 'firecracker'))
);
--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_vm_id_vms_id_fk" FOREIGN KEY ("vm_id") REFERENCES "public"."vms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_job_id_vm_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."vm_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_vm_id_vms_id_fk" FOREIGN KEY ("vm_id") REFERENCES "public"."vms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vm_jobs" ADD CONSTRAINT "vm_jobs_vm_id_vms_id_fk" FOREIGN KEY ("vm_id") REFERENCES "public"."vms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vm_jobs" ADD CONSTRAINT "vm_jobs_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "executions_vm_created_idx" ON "executions" USING btree ("vm_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "executions_task_idx" ON "executions" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "state_changes_entity_idx" ON "state_changes" USING btree ("entity_id","id");--> statement-breakpoint
CREATE INDEX "tasks_status_created_idx" ON "tasks" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "tasks_vm_idx" ON "tasks" USING btree ("vm_id");--> statement-breakpoint
CREATE INDEX "vm_jobs_vm_idx" ON "vm_jobs" USING btree ("vm_id");--> statement-breakpoint
CREATE UNIQUE INDEX "vms_name_live_key" ON "vms" USING btree ("name") WHERE "vms"."status" <> 'deleted';--> statement-breakpoint
CREATE INDEX "vms_status_idx" ON "vms" USING btree ("status");--> statement-breakpoint
CREATE INDEX "vms_worker_idx" ON "vms" USING btree ("worker_id");