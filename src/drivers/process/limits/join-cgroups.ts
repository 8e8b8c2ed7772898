/**
 * Spawning a sandbox inside its cgroups, with no moment outside them: a fixed shell script writes
 * its own pid into each cgroup's `cgroup.procs`, then execs the isolation tool (through `setpriv`
 * when the host is root, so the tool runs as the sandbox's unprivileged ids, as a plain spawn
 * with uid/gid would). Moving the tool's pid after spawning would race its first fork. A write
 * that fails ends the spawn (exit 111): a sandbox never runs without the limits it was given.
 * The cgroup paths come from the driver, never from a user.
 */
import type { SandboxCommand } from '../sandbox-command.js';

/** $1 = how many cgroup.procs files follow; then those files; then the command. */
export const JOIN_SCRIPT = `n="$1"; shift
while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 111; shift; n=$((n - 1)); done
exec "$@"
`;

export const JOIN_FAILED_EXIT = 111;

export function joinCgroups(
  command: SandboxCommand,
  procsFiles: readonly string[],
  ids: { uid: number; gid: number } | null,
): SandboxCommand {
  const dropTo = ids ? ['setpriv', `--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', '--'] : [];
  return {
    command: 'sh',
    args: [
      '-c',
      JOIN_SCRIPT,
      'aether-join',
      String(procsFiles.length),
      ...procsFiles,
      ...dropTo,
      command.command,
      ...command.args,
    ],
  };
}
