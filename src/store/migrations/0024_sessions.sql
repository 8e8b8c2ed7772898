-- Browser sessions of the dashboard (src/core/session.ts): a sign-in with an API key or a JWT.
-- Only the SHA-256 of each session secret is kept, and a session is found by it; one made with
-- an API key names it, so revoking the key ends its sessions.
CREATE TABLE "browser_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"project" text NOT NULL,
	"admin" boolean NOT NULL,
	"via" text NOT NULL,
	"principal_id" text NOT NULL,
	"key_id" text,
	"subject" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "browser_sessions_via_check" CHECK ("browser_sessions"."via" IN ('api_key', 'jwt'))
);
--> statement-breakpoint
ALTER TABLE "browser_sessions" ADD CONSTRAINT "browser_sessions_key_id_api_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "browser_sessions_secret_hash_key" ON "browser_sessions" USING btree ("secret_hash");
--> statement-breakpoint
CREATE INDEX "browser_sessions_key_idx" ON "browser_sessions" USING btree ("key_id");
