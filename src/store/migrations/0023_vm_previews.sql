-- Preview URLs (src/core/preview.ts): a token reaching a port inside a VM. Only the token's
-- SHA-256 is kept, and the preview is found by it.
CREATE TABLE "vm_previews" (
	"id" text PRIMARY KEY NOT NULL,
	"vm_id" uuid NOT NULL,
	"project" text NOT NULL,
	"port" integer NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_by" text,
	CONSTRAINT "vm_previews_port_check" CHECK ("vm_previews"."port" BETWEEN 1 AND 65535)
);
--> statement-breakpoint
ALTER TABLE "vm_previews" ADD CONSTRAINT "vm_previews_vm_id_vms_id_fk" FOREIGN KEY ("vm_id") REFERENCES "public"."vms"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "vm_previews_token_hash_key" ON "vm_previews" USING btree ("token_hash");
--> statement-breakpoint
CREATE INDEX "vm_previews_vm_idx" ON "vm_previews" USING btree ("vm_id","created_at");
