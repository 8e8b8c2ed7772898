CREATE TABLE "log_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "log_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"time" timestamp with time zone NOT NULL,
	"level" integer NOT NULL,
	"service" text NOT NULL,
	"project" text,
	"worker" text,
	"vm_id" text,
	"task_id" text,
	"execution_id" text,
	"message" text NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "log_entries_time_idx" ON "log_entries" USING btree ("time");--> statement-breakpoint
CREATE INDEX "log_entries_project_time_idx" ON "log_entries" USING btree ("project","time");--> statement-breakpoint
CREATE INDEX "log_entries_vm_time_idx" ON "log_entries" USING btree ("vm_id","time");--> statement-breakpoint
CREATE INDEX "log_entries_task_time_idx" ON "log_entries" USING btree ("task_id","time");--> statement-breakpoint
CREATE INDEX "log_entries_execution_time_idx" ON "log_entries" USING btree ("execution_id","time");
