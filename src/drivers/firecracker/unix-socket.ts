/**
 * Connecting to a Unix socket that Firecracker created, without following a symlink. Under the
 * jailer, the API and vsock sockets live in a directory the jailed uid owns: a compromised VMM
 * could swap one for a symlink to a host socket (a database, the Docker daemon) and have us talk
 * to that. So the last path component is opened with O_PATH|O_NOFOLLOW, checked to be a socket,
 * and the connection goes through /proc/self/fd/N, i.e. to exactly the inode that was checked
 * (as `shared/agent-socket.ts` does for guest-writable directories). This also lifts the 108-byte
 * limit on socket paths for our side of the connection.
 *
 * Failures are plain errors with an errno-like `code` (ENOENT, ECONNREFUSED, ENOTSOCK, ETIMEDOUT)
 * so callers can tell "not there yet" from "wrong".
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** Not exported by Node's fs.constants; Linux's O_PATH on x86-64 and arm64. */
const O_PATH = 0o10000000;

export class UnixConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnixConnectError';
  }
}

export function connectUnixNoFollow(path: string, timeoutMs: number): Promise<Socket> {
  let fd: number;
  try {
    fd = openSync(path, O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return Promise.reject(new UnixConnectError(code, `${path}: ${code}`));
  }
  try {
    const info = fstatSync(fd);
    if (!info.isSocket()) {
      closeSync(fd);
      // With O_PATH, O_NOFOLLOW opens a symlink itself rather than failing.
      return Promise.reject(
        info.isSymbolicLink()
          ? new UnixConnectError('ELOOP', `${path}: is a symlink (refused)`)
          : new UnixConnectError('ENOTSOCK', `${path}: not a socket (refused)`),
      );
    }
  } catch (error) {
    closeSync(fd);
    return Promise.reject(new UnixConnectError('EIO', `${path}: ${(error as Error).message}`));
  }
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(`/proc/self/fd/${fd}`);
    let settled = false;
    const done = (error: NodeJS.ErrnoException | null) => {
      if (settled) return; // closing the fd twice could close someone else's
      settled = true;
      clearTimeout(timer);
      socket.off('error', done);
      closeSync(fd);
      if (error) {
        socket.destroy();
        reject(new UnixConnectError(error.code ?? 'EIO', `${path}: ${error.code ?? error.message}`));
      } else {
        resolve(socket);
      }
    };
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error(`connect timed out after ${timeoutMs} ms`);
      error.code = 'ETIMEDOUT';
      done(error);
    }, timeoutMs);
    socket.once('connect', () => done(null));
    socket.once('error', done);
  });
}
