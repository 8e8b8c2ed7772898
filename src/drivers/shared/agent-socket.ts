/**
 * Connecting to the agent's socket, which lives in a directory the guest can write. The guest
 * could replace it with a symlink to a host socket (a database, the Docker daemon) and have the
 * host talk to that instead. So the final path component is opened with O_PATH|O_NOFOLLOW,
 * checked to be a socket (the `lstat` check, without the race between check and use), and the
 * connection goes through /proc/self/fd/N, i.e. to exactly the inode that was checked.
 * This also sidesteps the 108-byte limit on Unix socket paths.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { AetherError } from '../../core/errors.js';

/** Not exported by Node's fs.constants; the value of Linux's O_PATH on x86-64 and arm64. */
const O_PATH = 0o10000000;

export function connectAgentSocket(path: string, timeoutMs: number): Promise<Socket> {
  let fd: number;
  try {
    fd = openSync(path, O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return Promise.reject(
      new AetherError('ERR_AGENT_UNREACHABLE', `agent socket ${path}: ${code ?? 'unavailable'}`),
    );
  }
  try {
    if (!fstatSync(fd).isSocket()) {
      closeSync(fd);
      return Promise.reject(
        new AetherError(
          'ERR_AGENT_UNREACHABLE',
          `refusing ${path}: not a socket (the guest can write this directory)`,
        ),
      );
    }
  } catch (error) {
    closeSync(fd);
    return Promise.reject(
      new AetherError('ERR_AGENT_UNREACHABLE', `agent socket ${path}: ${(error as Error).message}`),
    );
  }
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(`/proc/self/fd/${fd}`);
    let settled = false;
    const done = (error: Error | null) => {
      if (settled) return; // closing the fd twice could close someone else's
      settled = true;
      clearTimeout(timer);
      socket.off('error', done);
      closeSync(fd);
      if (error) {
        socket.destroy();
        reject(
          new AetherError('ERR_AGENT_UNREACHABLE', `agent socket ${path}: ${error.message}`, {
            cause: error,
          }),
        );
      } else {
        resolve(socket);
      }
    };
    const timer = setTimeout(() => done(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => done(null));
    socket.once('error', done);
  });
}
