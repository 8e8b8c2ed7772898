/**
 * @aetherium/sdk: run untrusted code in Aetherium's isolated VMs from TypeScript.
 *
 * `Sandbox` is the way in for most programs (create, run commands, move files, open terminals and
 * ports). `AetherClient` is the whole REST API, one method per operation, for everything else.
 */
export type * from './api-types.js';
export { AetherClient, type ClientOptions, type WriteAnswer } from './client/client.js';
export type { EventFeedMessage, EventFeedOptions } from './client/event-stream.js';
export {
  chunkBytes,
  type ExecutionStreamChunk,
  type ExecutionStreamError,
  type ExecutionStreamExit,
  type ExecutionStreamOptions,
  type FollowExecutionOptions,
} from './client/execution-stream.js';
export type {
  DownloadFileOptions,
  FileDownload,
  TransferFormat,
  UploadFileOptions,
} from './client/file-transfer.js';
export type { LogTailOptions } from './client/log-stream.js';
export type { TerminalAttachment, TerminalEvent, TerminalExit } from './client/terminal-socket.js';
export type { StreamLine, WorkerInfo } from './client/types.js';
export { FILE_ENTRY_HEADER, RAW_MEDIA_TYPE, SOCKET_FRAME_BYTES, TAR_MEDIA_TYPE } from './client/wire.js';
export * from './errors.js';
export { API_ROUTES } from './generated/routes.js';
export type {
  CommandHandle,
  CommandOutput,
  CommandResult,
  OutputCallbacks,
} from './sandbox/command-handle.js';
export type { BackgroundRunOptions, CommandLine, Commands, RunOptions } from './sandbox/commands.js';
export { type ConnectionOptions, clientFor, DEFAULT_API_URL } from './sandbox/connection.js';
export type { Duration } from './sandbox/duration.js';
export type { Files, ReadOptions, WriteData, WriteOptions } from './sandbox/files.js';
export type { Ports } from './sandbox/ports.js';
export type { Pty, PtyConnectOptions, PtyCreateOptions, PtyHandle } from './sandbox/pty.js';
export {
  type Cancellable,
  Sandbox,
  type SandboxCreateOptions,
  type SandboxListOptions,
} from './sandbox/sandbox.js';
