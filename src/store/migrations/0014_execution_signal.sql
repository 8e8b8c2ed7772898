ALTER TABLE "executions" ADD COLUMN "signal" text;
