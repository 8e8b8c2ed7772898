import { errorBody } from './fields.js';
import { integrationParams, webhookAnswer } from './integrations.js';
import { apiKey, createdKey, createKeyBody, keyList, keyParams } from './keys.js';
import { logLineSchema, logList, logQueryBody, logStreamMessage, logStreamQuery } from './logs.js';
import { executionSchema, jobSchema, taskSchema, vmSchema, workerSchema } from './records.js';
import {
  createVmBody,
  executeBody,
  idParams,
  jobBody,
  listQuery,
  listVmsQuery,
  workerParams,
  writeQuery,
} from './requests.js';
import {
  executeAccepted,
  executeDone,
  executeError,
  executionList,
  executionStreamLine,
  healthBody,
  jobWriteAccepted,
  jobWriteDone,
  jobWriteError,
  metricsText,
  openApiDocument,
  readinessBody,
  vmList,
  vmWriteAccepted,
  vmWriteDone,
  vmWriteError,
  workerList,
} from './responses.js';
import {
  listSnapshotsQuery,
  snapshotList,
  snapshotSchema,
  snapshotWriteAccepted,
  snapshotWriteDone,
  snapshotWriteError,
} from './snapshots.js';
import { streamMessage, streamParams, streamQuery } from './stream.js';

/**
 * Every schema of the wire contract by name. The route table names its schemas from here; an
 * answer's name is also its component name in the OpenAPI document (`#/components/schemas/Vm`).
 */
export const API_SCHEMAS = {
  CreateVmRequest: createVmBody,
  ExecuteRequest: executeBody,
  JobRequest: jobBody,
  WriteQuery: writeQuery,
  ListVmsQuery: listVmsQuery,
  ListQuery: listQuery,
  IdParams: idParams,
  WorkerParams: workerParams,
  StreamParams: streamParams,
  StreamQuery: streamQuery,
  CreateKeyRequest: createKeyBody,
  KeyParams: keyParams,
  IntegrationParams: integrationParams,

  Vm: vmSchema,
  VmList: vmList,
  VmWriteAccepted: vmWriteAccepted,
  VmWriteDone: vmWriteDone,
  VmWriteError: vmWriteError,
  Task: taskSchema,
  Execution: executionSchema,
  ExecutionList: executionList,
  ExecuteAccepted: executeAccepted,
  ExecuteDone: executeDone,
  ExecuteError: executeError,
  ExecutionStreamLine: executionStreamLine,
  ExecutionStreamMessage: streamMessage,
  Job: jobSchema,
  JobWriteAccepted: jobWriteAccepted,
  JobWriteDone: jobWriteDone,
  JobWriteError: jobWriteError,
  Worker: workerSchema,
  WorkerList: workerList,
  Health: healthBody,
  Readiness: readinessBody,
  ErrorBody: errorBody,
  OpenApiDocument: openApiDocument,
  MetricsText: metricsText,
  ApiKey: apiKey,
  CreatedKey: createdKey,
  ApiKeyList: keyList,
  Snapshot: snapshotSchema,
  SnapshotWriteAccepted: snapshotWriteAccepted,
  SnapshotWriteDone: snapshotWriteDone,
  SnapshotWriteError: snapshotWriteError,
  LogQueryRequest: logQueryBody,
  LogStreamQuery: logStreamQuery,
  LogLine: logLineSchema,
  LogList: logList,
  LogStreamMessage: logStreamMessage,
  SnapshotList: snapshotList,
  ListSnapshotsQuery: listSnapshotsQuery,
  WebhookAnswer: webhookAnswer,
} as const;

export type ApiSchemaName = keyof typeof API_SCHEMAS;
export type ApiSchema<N extends ApiSchemaName> = (typeof API_SCHEMAS)[N];
