/**
 * The API's wire shapes as the client sees them (snake_case, ISO timestamps), under the names
 * the CLI and users know. Each is the wire contract's own type (src/api), never a copy.
 */

export type { CreatedPreview, Preview } from '../api/previews.js';
export type {
  ApiError as ApiErrorBody,
  CreateVmRequest,
  ExecuteRequest,
  Execution,
  ExecutionStreamLine as StreamLine,
  Health,
  Job,
  JobRequest,
  LogLine,
  Snapshot,
  Task,
  Vm,
  VmUsage,
  Worker as WorkerInfo,
} from '../api/types.js';
export type {
  DownloadFileOptions,
  FileDownload,
  FsEntry,
  FsListing,
  TransferFormat,
  UploadFileOptions,
  UploadResult,
} from './file-transfer.js';
