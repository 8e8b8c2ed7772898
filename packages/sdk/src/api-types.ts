/**
 * The wire contract as TypeScript types, looked up in the types generated from the OpenAPI
 * document (src/generated): what an operation takes and what it answers, by operation id.
 */
import type { components, operations } from './generated/openapi.js';
import type { OperationId } from './generated/routes.js';

export type { OperationId } from './generated/routes.js';
export type Schemas = components['schemas'];

type Operation<Op extends OperationId> = operations[Op];
type JsonOf<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body an operation takes. */
export type RouteBody<Op extends OperationId> = JsonOf<NonNullable<Operation<Op>['requestBody']>>;
/** The query an operation takes. */
export type RouteQuery<Op extends OperationId> = NonNullable<Operation<Op>['parameters']['query']>;
/** The statuses an operation answers with. */
export type RouteStatus<Op extends OperationId> = keyof Operation<Op>['responses'] & number;
/** The JSON body of an operation's answer with one status. */
export type RouteAnswer<Op extends OperationId, S extends RouteStatus<Op>> = JsonOf<
  Operation<Op>['responses'][S]
>;

export type Vm = Schemas['Vm'];
export type VmUsage = Schemas['VmUsage'];
export type Task = Schemas['Task'];
export type Execution = Schemas['Execution'];
export type Job = Schemas['Job'];
export type Worker = Schemas['Worker'];
export type Snapshot = Schemas['Snapshot'];
export type LogLine = Schemas['LogLine'];
export type LogStreamMessage = Schemas['LogStreamMessage'];
export type EventStreamMessage = Schemas['EventStreamMessage'];
export type Health = Schemas['Health'];
export type Readiness = Schemas['Readiness'];
export type ErrorBody = Schemas['ErrorBody'];
export type ApiError = ErrorBody['error'];
/** A stable error code (`ERR_VM_NOT_FOUND`, …); the full list is the API's. */
export type ErrorCode = ApiError['code'];
export type ExecutionStreamLine = Schemas['ExecutionStreamLine'];
export type ExecutionStreamMessage = Schemas['ExecutionStreamMessage'];
export type FsEntry = Schemas['FsEntry'];
export type FsListing = Schemas['FsListing'];
export type UploadResult = Schemas['UploadResult'];
export type Preview = Schemas['Preview'];
export type CreatedPreview = Schemas['CreatedPreview'];
export type Terminal = Schemas['Terminal'];

/** A driver's name: this build's are listed; a deployment may add its own. */
export type DriverName = Schemas['DriverName'] | (string & {});
export type CreateVmRequest = Omit<RouteBody<'createVm'>, 'driver'> & { driver?: DriverName };
export type ExecuteRequest = RouteBody<'executeCommand'>;
export type JobRequest = RouteBody<'runJob'>;
/** A signal an execution may be sent. */
export type CommandSignal = NonNullable<RouteBody<'signalExecution'>['signal']>;
/** A terminal's size in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}
