-- Outbound webhooks (not the inbound ledger of 0011): subscriptions, and an outbox of deliveries
-- that the database fills itself, in the statement that makes each change (see below).
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"project" text NOT NULL,
	"url" text NOT NULL,
	"events" text[] NOT NULL,
	"secret" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_project_idx" ON "webhook_subscriptions" USING btree ("project") WHERE "webhook_subscriptions"."active";
--> statement-breakpoint
CREATE TABLE "outbound_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL,
	"project" text NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retry_from" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"redelivery_of" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbound_deliveries_status_check" CHECK ("outbound_deliveries"."status" IN ('pending', 'delivered', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "outbound_deliveries" ADD CONSTRAINT "outbound_deliveries_subscription_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "outbound_deliveries_due_idx" ON "outbound_deliveries" USING btree ("next_attempt_at") WHERE "outbound_deliveries"."status" = 'pending';
--> statement-breakpoint
CREATE INDEX "outbound_deliveries_subscription_idx" ON "outbound_deliveries" USING btree ("subscription_id","created_at");
--> statement-breakpoint
-- Writes the deliveries of one change, in its own statement: a change that commits has them,
-- one per matching subscription, whichever node made it; one that rolls back has none. Event
-- names and payloads are those of src/service/publish.ts and src/core/events.ts (a test
-- compares them); a pattern matches as `matchesEventPattern` (src/core/outbound-webhooks.ts) says.
CREATE FUNCTION "enqueue_outbound_webhooks"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  names text[];
  payload jsonb;
  -- What vm.lost adds (its payload names the worker); read only for VMs: NEW is another table's row otherwise.
  lost jsonb := '{}'::jsonb;
BEGIN
  -- Most projects subscribe to nothing: one index probe and out.
  IF NOT EXISTS (SELECT 1 FROM "webhook_subscriptions" WHERE "project" = NEW.project AND "active") THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'vms' THEN
    names := ARRAY['vm.status'];
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('running', 'deleted', 'failed', 'lost') THEN
      names := names || (CASE NEW.status WHEN 'running' THEN 'vm.created' ELSE 'vm.' || NEW.status END);
    END IF;
    payload := jsonb_build_object('vmId', NEW.id, 'status', NEW.status, 'reason', COALESCE(NEW.status_reason, 'updated'));
    lost := jsonb_build_object('workerId', NEW.worker_id);
  ELSIF TG_TABLE_NAME = 'tasks' THEN
    names := ARRAY['task.updated'];
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('completed', 'failed', 'cancelled') THEN
      names := names || ('task.' || NEW.status);
    END IF;
    payload := jsonb_build_object('taskId', NEW.id, 'type', NEW.type, 'status', NEW.status, 'error', NEW.error);
  ELSE
    names := ARRAY['execution.completed'];
    payload := jsonb_build_object('executionId', NEW.id, 'taskId', NEW.task_id, 'exitCode', NEW.exit_code);
  END IF;
  INSERT INTO "outbound_deliveries" ("subscription_id", "project", "event", "payload")
  SELECT s."id", s."project", n.name,
    CASE WHEN n.name = 'vm.lost' THEN payload || lost ELSE payload END
  FROM "webhook_subscriptions" s CROSS JOIN unnest(names) AS n(name)
  WHERE s."project" = NEW.project AND s."active"
    AND ('*' = ANY(s."events") OR n.name = ANY(s."events") OR split_part(n.name, '.', 1) || '.*' = ANY(s."events"));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "vms_outbound_webhooks" AFTER UPDATE OF "status", "status_reason" ON "vms"
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.status_reason IS DISTINCT FROM OLD.status_reason)
  EXECUTE FUNCTION "enqueue_outbound_webhooks"();
--> statement-breakpoint
CREATE TRIGGER "tasks_outbound_webhooks" AFTER UPDATE OF "status", "status_reason" ON "tasks"
  FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.status_reason IS DISTINCT FROM OLD.status_reason)
  EXECUTE FUNCTION "enqueue_outbound_webhooks"();
--> statement-breakpoint
CREATE TRIGGER "executions_outbound_webhooks" AFTER UPDATE OF "completed_at" ON "executions"
  FOR EACH ROW WHEN (OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL)
  EXECUTE FUNCTION "enqueue_outbound_webhooks"();
