-- VM milestones as src/service/publish.ts names them: `vm.created` only for a VM's first run
-- (before, a start, a restart or a resume announced it again), `vm.started`, `vm.resumed`,
-- and `vm.paused` and `vm.stopped`, which had no delivery of their own.
CREATE OR REPLACE FUNCTION "enqueue_outbound_webhooks"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF NEW.status IS DISTINCT FROM OLD.status
      AND NEW.status IN ('running', 'paused', 'stopped', 'deleted', 'failed', 'lost') THEN
      names := names || (CASE
        WHEN NEW.status <> 'running' THEN 'vm.' || NEW.status
        WHEN OLD.status = 'paused' THEN 'vm.resumed'
        WHEN OLD.started_at IS NULL THEN 'vm.created'
        ELSE 'vm.started' END);
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
