ALTER TABLE "vms" ADD COLUMN "image" text;--> statement-breakpoint
ALTER TABLE "vms" ADD COLUMN "network" boolean DEFAULT false NOT NULL;