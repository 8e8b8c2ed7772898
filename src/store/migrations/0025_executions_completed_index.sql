-- The overview reads the last hour's (and day's) completed executions by completion time: an
-- index on it keeps that a range scan however many executions the table holds.
CREATE INDEX "executions_completed_idx" ON "executions" USING btree ("completed_at");
