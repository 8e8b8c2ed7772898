/** File operation failures as the host sees them: a stable code and a message naming the guest path. */
import type { AgentErrorCode } from '../protocol/messages.js';

export class FileOpError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const BY_ERRNO: Record<string, { code: AgentErrorCode; what: string }> = {
  ENOENT: { code: 'ERR_FILE_NOT_FOUND', what: 'no such file or directory' },
  ENOTDIR: { code: 'ERR_NOT_A_DIRECTORY', what: 'not a directory' },
  EISDIR: { code: 'ERR_IS_A_DIRECTORY', what: 'is a directory' },
  EACCES: { code: 'ERR_PERMISSION_DENIED', what: 'permission denied' },
  EPERM: { code: 'ERR_PERMISSION_DENIED', what: 'operation not permitted' },
  EROFS: { code: 'ERR_PERMISSION_DENIED', what: 'read-only file system' },
  EEXIST: { code: 'ERR_FILE_EXISTS', what: 'already exists' },
  ENOTEMPTY: { code: 'ERR_DIRECTORY_NOT_EMPTY', what: 'directory not empty' },
  ENOSPC: { code: 'ERR_VM_DISK_FULL', what: 'no space left on device' },
  EDQUOT: { code: 'ERR_VM_DISK_FULL', what: 'disk quota exceeded' },
  ENAMETOOLONG: { code: 'ERR_VALIDATION', what: 'file name too long' },
  ELOOP: { code: 'ERR_VALIDATION', what: 'too many levels of symbolic links' },
  EINVAL: { code: 'ERR_VALIDATION', what: 'invalid argument' },
  EXDEV: { code: 'ERR_VALIDATION', what: 'not on the same file system' },
  EBUSY: { code: 'ERR_VALIDATION', what: 'resource busy' },
};

/** Maps a failed fs call on `path` (the guest's absolute path) to a FileOpError. */
export function fileError(error: unknown, path: string): FileOpError {
  if (error instanceof FileOpError) return error;
  const errno = (error as NodeJS.ErrnoException).code ?? '';
  const known = BY_ERRNO[errno];
  if (known) return new FileOpError(known.code, `${path}: ${known.what}`);
  return new FileOpError('ERR_INTERNAL', `${path}: ${(error as Error).message}`);
}
