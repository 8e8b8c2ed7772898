-- Every status change of a VM or a task is logged by the database itself, in the same statement
-- that makes it: a transition is one UPDATE (one round trip) and no writer can forget the log.
CREATE FUNCTION "log_state_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status OR NEW.status_reason IS DISTINCT FROM OLD.status_reason THEN
    INSERT INTO "state_changes" ("entity", "entity_id", "from_status", "to_status", "reason")
    VALUES (TG_ARGV[0], NEW.id, OLD.status, NEW.status, COALESCE(NEW.status_reason, 'updated'));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "vms_log_state_change" AFTER UPDATE OF "status", "status_reason" ON "vms"
  FOR EACH ROW EXECUTE FUNCTION "log_state_change"('vm');
--> statement-breakpoint
CREATE TRIGGER "tasks_log_state_change" AFTER UPDATE OF "status", "status_reason" ON "tasks"
  FOR EACH ROW EXECUTE FUNCTION "log_state_change"('task');
