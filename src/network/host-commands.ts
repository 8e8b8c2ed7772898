/**
 * How host networking runs `ip`, `nft` and `sysctl`: argv arrays through execFile, never a shell
 * string, with a fixed environment. A runner may carry a prefix (`ip netns exec NS`), which is
 * how tests apply the very same commands inside a network namespace of their own.
 */
import { spawn } from 'node:child_process';
import { AetherError } from '../core/errors.js';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the program's stdin, which is then closed (`nft -f -`). */
  stdin?: string;
  /** A failure whose stderr matches is a success with empty output ("does not exist" on delete). */
  okIf?: RegExp;
}

/** Runs one host program; fails with ERR_NETWORK_UNAVAILABLE or ERR_HOST_TOOL_MISSING. */
export type CommandRunner = (argv: readonly string[], options?: RunOptions) => Promise<CommandOutput>;

/** Each program and the Debian package that ships it. */
const PACKAGES: Record<string, string> = { ip: 'iproute2', nft: 'nftables', sysctl: 'procps' };

/** sbin first: a non-root user's PATH often lacks it, and these tools live there. */
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

const TIMEOUT_MS = 30_000;

function describe(argv: readonly string[]): string {
  return argv.join(' ').slice(0, 300);
}

/** The real runner; `prefix` is prepended to every command (e.g. `['ip', 'netns', 'exec', 'ns1']`). */
export function createCommandRunner(prefix: readonly string[] = []): CommandRunner {
  return (argv, options = {}) => {
    const full = [...prefix, ...argv];
    return new Promise((resolve, reject) => {
      const child = spawn(full[0]!, full.slice(1), {
        env: ENV,
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        timeout: TIMEOUT_MS,
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
      });
      child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
      });
      child.once('error', (error: NodeJS.ErrnoException) => {
        const tool = full[0]!;
        reject(
          error.code === 'ENOENT'
            ? new AetherError(
                'ERR_HOST_TOOL_MISSING',
                `${tool} not found: install it with \`apt-get install ${PACKAGES[tool] ?? tool}\``,
                { details: { tool } },
              )
            : new AetherError('ERR_NETWORK_UNAVAILABLE', `cannot run ${tool}: ${error.message}`, {
                cause: error,
              }),
        );
      });
      child.once('close', (code, signal) => {
        if (code === 0) return resolve({ stdout, stderr });
        if (options.okIf?.test(stderr)) return resolve({ stdout: '', stderr });
        // `ip netns exec` reports a missing inner program on stderr with status 255.
        const missing = /exec of "([^"]+)" failed: No such file or directory/.exec(stderr)?.[1];
        if (missing) {
          return reject(
            new AetherError(
              'ERR_HOST_TOOL_MISSING',
              `${missing} not found: install it with \`apt-get install ${PACKAGES[missing] ?? missing}\``,
              { details: { tool: missing } },
            ),
          );
        }
        const denied = /Operation not permitted|Permission denied/i.test(stderr);
        reject(
          new AetherError(
            'ERR_NETWORK_UNAVAILABLE',
            `\`${describe(argv)}\` failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-500) || 'no message'}${denied ? ' — host networking needs root or CAP_NET_ADMIN' : ''}`,
            { details: { command: argv[0], exitCode: code } },
          ),
        );
      });
      if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    });
  };
}
