/**
 * The agent runs in every container on the host's own Node.js, so any image works — one without
 * Node, a musl one, even an empty one — and exec semantics are those of the same agent the other
 * drivers run. The node binary, its dynamic loader and the shared libraries it links are bound
 * read-only under /.aether, and the loader is invoked explicitly with `--library-path`, which
 * applies to the agent alone: commands it spawns use the image's own loader and libraries.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { AetherError } from '../../core/errors.js';

const execFileAsync = promisify(execFile);

/** Where the host runtime appears inside a container. */
export const GUEST_RUNTIME = {
  dir: '/.aether',
  loader: '/.aether/lib/ld.so',
  libDir: '/.aether/lib',
  node: '/.aether/bin/node',
  agent: '/.aether/agent.mjs',
  run: '/.aether/run',
  socket: '/.aether/run/agent.sock',
} as const;

export interface BindFile {
  /** Absolute host path (symlinks resolved). */
  host: string;
  /** Absolute path inside the container. */
  guest: string;
}

export interface HostNodeRuntime {
  /** Read-only binds: node, its loader, its libraries. */
  binds: BindFile[];
  /** argv prefix that runs a script on the host's node inside a container. */
  argv: readonly string[];
}

/**
 * `ldd` lines: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` for libraries, and
 * `/lib64/ld-linux-x86-64.so.2 (0x...)` for the loader; `linux-vdso.so.1 (0x...)` has no file.
 */
export function parseLdd(output: string): { loader: string | null; libraries: string[] } {
  let loader: string | null = null;
  const libraries: string[] = [];
  for (const line of output.split('\n')) {
    const linked = /^\s*\S+\s+=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)\s*$/.exec(line);
    if (linked) {
      libraries.push(linked[1]!);
      continue;
    }
    const bare = /^\s*(\/\S+)\s+\(0x[0-9a-f]+\)\s*$/.exec(line);
    if (bare) loader = bare[1]!;
  }
  return { loader, libraries };
}

/** Resolves what to bind for `nodePath`; throws ERR_ISOLATION_UNAVAILABLE if it cannot. */
export async function resolveHostNode(nodePath: string): Promise<HostNodeRuntime> {
  let output: string;
  try {
    ({ stdout: output } = await execFileAsync('ldd', [nodePath], {
      env: { PATH: '/usr/bin:/bin', LANG: 'C' },
      timeout: 10_000,
    }));
  } catch (error) {
    throw new AetherError(
      'ERR_ISOLATION_UNAVAILABLE',
      `docker driver: cannot list the libraries of ${nodePath} with ldd (package libc-bin): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { loader, libraries } = parseLdd(output);
  if (!loader) {
    // A static node needs no loader: run it directly.
    return {
      binds: [{ host: await realpath(nodePath), guest: GUEST_RUNTIME.node }],
      argv: [GUEST_RUNTIME.node],
    };
  }
  const binds: BindFile[] = [
    { host: await realpath(nodePath), guest: GUEST_RUNTIME.node },
    { host: await realpath(loader), guest: GUEST_RUNTIME.loader },
  ];
  for (const library of libraries) {
    binds.push({ host: await realpath(library), guest: `${GUEST_RUNTIME.libDir}/${basename(library)}` });
  }
  return {
    binds,
    argv: [GUEST_RUNTIME.loader, '--library-path', GUEST_RUNTIME.libDir, GUEST_RUNTIME.node],
  };
}
