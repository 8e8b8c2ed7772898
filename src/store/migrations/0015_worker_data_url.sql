ALTER TABLE "workers" ADD COLUMN "data_url" text;
