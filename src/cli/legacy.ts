import { clientFromEnv } from './client-from-env.js';
import { driverName } from './driver-name.js';
import { printJson } from './format.js';

/**
 * The original Go CLI's single-dash flags, for people coming from it:
 *   aether -type vm:create -name my-vm -vcpus 1 -memory 256 -tools go,python -tool-versions go=1.23.0
 *   aether -type vm:execute -vm-id <id> -cmd git -args "clone,https://github.com/user/repo"
 *   aether -type vm:delete -vm-id <id>
 * Each waits for its task and prints the result as JSON. Tool names and versions are sent as
 * given: the gateway maps the original's (`nodejs`, `latest`) to ours (docs/compatibility.md).
 */
const LEGACY_FLAGS = new Set([
  'type',
  'name',
  'vcpus',
  'memory',
  'tools',
  'tool-versions',
  'vm-id',
  'cmd',
  'args',
  'driver',
]);

export function isLegacyInvocation(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '-type' || arg.startsWith('-type='));
}

export function parseLegacyFlags(argv: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !LEGACY_FLAGS.has(match[1]!)) {
      throw new Error(`unknown flag "${arg}"; the classic flags are -${[...LEGACY_FLAGS].join(', -')}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`flag -${match[1]} needs a value`);
    flags[match[1]!] = value;
  }
  return flags;
}

/** `-args` as the original split it: on commas, so an argument may hold spaces (`-c,cd /x && ls`). */
export function legacyArgs(text: string | undefined): string[] {
  return text ? text.split(',') : [];
}

/** `-tools go,python`: names, comma-separated, blanks around them ignored. */
export function legacyTools(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * `-tool-versions go=1.23.0,python=3.11`. The original's code split pairs on `=`; one of its
 * guides wrote `go:1.23.0`, which it ignored without a word: both are read here, and anything
 * else is refused.
 */
export function legacyToolVersions(text: string | undefined): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const pair of legacyTools(text)) {
    const match = /^([^=:\s]+)\s*[=:]\s*([^=:\s]+)$/.exec(pair);
    if (!match) throw new Error(`-tool-versions takes tool=version pairs, comma-separated; got "${pair}"`);
    versions[match[1]!] = match[2]!;
  }
  return versions;
}

function need(flags: Record<string, string>, name: string): string {
  const value = flags[name];
  if (!value) throw new Error(`-type ${flags.type} needs -${name}`);
  return value;
}

function whole(flags: Record<string, string>, name: string): number | undefined {
  if (flags[name] === undefined) return undefined;
  const n = Number(flags[name]);
  if (!Number.isInteger(n)) throw new Error(`-${name} takes a whole number, got "${flags[name]}"`);
  return n;
}

export async function runLegacy(argv: readonly string[]): Promise<number> {
  const flags = parseLegacyFlags(argv);
  const client = clientFromEnv();
  switch (flags.type) {
    case 'vm:create': {
      const vcpus = whole(flags, 'vcpus');
      const memory = whole(flags, 'memory');
      const tools = legacyTools(flags.tools);
      const versions = legacyToolVersions(flags['tool-versions']);
      const res = await client.createVm(
        {
          name: need(flags, 'name'),
          ...(vcpus !== undefined ? { vcpus } : {}),
          ...(memory !== undefined ? { memory_mib: memory } : {}),
          ...(flags.driver ? { driver: driverName(flags.driver) } : {}),
          ...(tools.length > 0 ? { additional_tools: tools } : {}),
          ...(Object.keys(versions).length > 0 ? { tool_versions: versions } : {}),
        },
        { wait: true },
      );
      printJson(res);
      return 0;
    }
    case 'vm:execute': {
      const res = await client.execute(
        need(flags, 'vm-id'),
        { command: need(flags, 'cmd'), args: legacyArgs(flags.args) },
        { wait: true },
      );
      printJson(res);
      return res.execution?.exit_code ?? 1;
    }
    case 'vm:delete': {
      printJson(await client.deleteVm(need(flags, 'vm-id'), { wait: true }));
      return 0;
    }
    default:
      throw new Error(`unknown -type "${flags.type}"; use vm:create, vm:execute or vm:delete`);
  }
}
