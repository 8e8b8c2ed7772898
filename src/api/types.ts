import type { z } from 'zod';
import type { ApiRoute, OperationId } from './routes.js';
import type { ApiSchema, ApiSchemaName } from './schemas.js';

/**
 * The wire contract as TypeScript types, inferred from the schemas: what callers send is the
 * schema's input, what the API answers is its output.
 */

export type Vm = z.output<ApiSchema<'Vm'>>;
export type VmUsage = z.output<ApiSchema<'VmUsage'>>;
export type Task = z.output<ApiSchema<'Task'>>;
export type Execution = z.output<ApiSchema<'Execution'>>;
export type Job = z.output<ApiSchema<'Job'>>;
export type Worker = z.output<ApiSchema<'Worker'>>;
export type Snapshot = z.output<ApiSchema<'Snapshot'>>;
export type LogLine = z.output<ApiSchema<'LogLine'>>;
export type LogStreamMessage = z.output<ApiSchema<'LogStreamMessage'>>;
export type Health = z.output<ApiSchema<'Health'>>;
export type Readiness = z.output<ApiSchema<'Readiness'>>;
export type ErrorBody = z.output<ApiSchema<'ErrorBody'>>;
export type ApiError = ErrorBody['error'];
export type ExecutionStreamLine = z.output<ApiSchema<'ExecutionStreamLine'>>;

export type CreateVmRequest = z.input<ApiSchema<'CreateVmRequest'>>;
export type ExecuteRequest = z.input<ApiSchema<'ExecuteRequest'>>;
export type JobRequest = z.input<ApiSchema<'JobRequest'>>;

type Named<Spec, Key extends string> = Spec extends { readonly [K in Key]: infer N extends ApiSchemaName }
  ? N
  : never;

/** The JSON body an operation takes. */
export type RouteBody<Op extends OperationId> = z.input<ApiSchema<Named<ApiRoute<Op>, 'body'>>>;
/** The query an operation takes, as it travels (strings). */
export type RouteQuery<Op extends OperationId> = z.input<ApiSchema<Named<ApiRoute<Op>, 'query'>>>;

/** The statuses an operation answers with a body of its own (not an error body). */
export type RouteStatus<Op extends OperationId> = keyof ApiRoute<Op>['answers'] & number;

/** The JSON body of an operation's answer with one status. */
export type RouteAnswer<Op extends OperationId, S extends RouteStatus<Op>> = z.output<
  ApiSchema<Named<ApiRoute<Op>['answers'][S], 'json'>>
>;

/** The body of each NDJSON line of a streaming answer. */
export type RouteStreamLine<Op extends OperationId, S extends RouteStatus<Op>> = z.output<
  ApiSchema<Named<ApiRoute<Op>['answers'][S], 'ndjson'>>
>;
