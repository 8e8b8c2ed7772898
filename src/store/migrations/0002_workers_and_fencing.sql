CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"drivers" jsonb NOT NULL,
	"capacity" integer NOT NULL,
	"version" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"epoch" integer DEFAULT 1 NOT NULL,
	"active_tasks" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workers_status_check" CHECK ("workers"."status" IN ('active', 'draining', 'stopped', 'dead'))
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "fencing_token" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "workers_status_heartbeat_idx" ON "workers" USING btree ("status","last_heartbeat_at");