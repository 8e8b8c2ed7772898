/**
 * Tool names of the original Go system (its requests' `additional_tools` and `tool_versions`,
 * its CLI's `-tools`, its config's `tools.default`) against our catalog's. One table for the API
 * and the config readers; docs/compatibility.md lists it.
 */

/** The original's names of tools our catalog has under another name. */
export const SEED_TOOL_ALIASES: Readonly<Record<string, string>> = {
  nodejs: 'node',
  'claude-code': 'claude',
  claudecode: 'claude',
  golang: 'go',
  python3: 'python',
  cargo: 'rust',
};

/**
 * The original's tools with no counterpart here, each with what to do instead. Docker: the
 * original installed the Docker engine into a root VM; our VMs run as an unprivileged guest user
 * on a read-only root, so no daemon can run inside one.
 */
export const SEED_TOOLS_WITHOUT_COUNTERPART: Readonly<Record<string, string>> = {
  docker:
    'a VM cannot run a Docker daemon of its own here; run the container image you need as the VM instead (`"driver": "docker"` with `"image": "<reference>"`)',
  ampcode: 'it is not in the tool catalog; install its npm package, `@sourcegraph/amp`, in the VM yourself',
  amp: 'it is not in the tool catalog; install its npm package, `@sourcegraph/amp`, in the VM yourself',
};

/** The original's version for "the newest": here, the tool named without a version. */
export const SEED_LATEST_VERSION = 'latest';

/** Our name for a tool the original named `name` (itself when it is not one of the aliases). */
export function toolNameOfSeed(name: string): string {
  return Object.hasOwn(SEED_TOOL_ALIASES, name) ? SEED_TOOL_ALIASES[name]! : name;
}
