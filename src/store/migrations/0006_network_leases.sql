CREATE TABLE "network_leases" (
	"vm_id" uuid PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"worker_id" text NOT NULL,
	"address" "inet" NOT NULL,
	"tap_name" text NOT NULL,
	"mac" text NOT NULL,
	"allocated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "network_leases" ADD CONSTRAINT "network_leases_vm_id_vms_id_fk" FOREIGN KEY ("vm_id") REFERENCES "public"."vms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "network_leases_host_address_key" ON "network_leases" USING btree ("host","address");--> statement-breakpoint
CREATE UNIQUE INDEX "network_leases_host_tap_key" ON "network_leases" USING btree ("host","tap_name");--> statement-breakpoint
CREATE INDEX "network_leases_worker_idx" ON "network_leases" USING btree ("worker_id");
