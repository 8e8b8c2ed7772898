CREATE TABLE "execution_output_chunks" (
	"execution_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"stream" text NOT NULL,
	"offset" bigint NOT NULL,
	"data" bytea NOT NULL,
	CONSTRAINT "execution_output_chunks_execution_id_seq_pk" PRIMARY KEY("execution_id","seq"),
	CONSTRAINT "execution_output_chunks_stream_check" CHECK ("execution_output_chunks"."stream" IN ('stdout', 'stderr')),
	CONSTRAINT "execution_output_chunks_seq_check" CHECK ("execution_output_chunks"."seq" >= 1)
);
--> statement-breakpoint
ALTER TABLE "execution_output_chunks" ADD CONSTRAINT "execution_output_chunks_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;
