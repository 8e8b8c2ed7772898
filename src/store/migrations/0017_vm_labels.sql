ALTER TABLE "vms" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;
