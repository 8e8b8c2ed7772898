/**
 * The API's wire shapes as the client sees them (snake_case, ISO timestamps), under the names
 * the CLI and users know. Each is generated from the OpenAPI document (src/generated), never a copy.
 */

export type {
  ApiError as ApiErrorBody,
  CreatedPreview,
  CreateVmRequest,
  ExecuteRequest,
  Execution,
  ExecutionStreamLine as StreamLine,
  Health,
  Job,
  JobRequest,
  LogLine,
  Preview,
  Snapshot,
  Task,
  Terminal,
  Vm,
  VmUsage,
  Worker as WorkerInfo,
} from '../api-types.js';
export type {
  DownloadFileOptions,
  FileDownload,
  FsEntry,
  FsListing,
  TransferFormat,
  UploadFileOptions,
  UploadResult,
} from './file-transfer.js';
