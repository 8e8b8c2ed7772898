CREATE TABLE "webhook_deliveries" (
	"integration" text NOT NULL,
	"delivery_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "webhook_deliveries_integration_delivery_id_pk" PRIMARY KEY("integration","delivery_id")
);
--> statement-breakpoint
CREATE INDEX "webhook_deliveries_expires_at_idx" ON "webhook_deliveries" USING btree ("expires_at");
