/**
 * Tools in VMs: what a request may ask for, what a VM records about them. The catalog of known
 * tools (where each comes from, how to check it) is in `tool-catalog.ts`; what to do for one VM
 * is decided by `tool-plan.ts`.
 */
import { AetherError } from './errors.js';

/**
 * Where a tool can come from, in the catalog's order of preference:
 * - `debian`: Debian packages (the first one carries the version), baked into a guest image at
 *   build time (`aether image build --tools`); a VM cannot install them when it is created (its
 *   root is read-only and it has no root user).
 * - `npm`: an npm package, `package@version`; baked at build time with the host's npm, or
 *   installed when the VM is created with the guest's own npm, over the VM's network. `bins` are
 *   the commands it provides (linked onto the PATH).
 * - `mise`: installed when the VM is created by `mise` inside the guest, which downloads from
 *   the tool's own release site (GitHub mostly) over the VM's network.
 */
export type ToolSource =
  | { readonly kind: 'debian'; readonly packages: readonly string[] }
  | { readonly kind: 'npm'; readonly package: string; readonly bins: readonly string[] }
  | { readonly kind: 'mise'; readonly plugin: string };
export type ToolSourceKind = ToolSource['kind'];

/** How a tool is checked: a command run without a shell, and the version read from its output. */
export interface ToolCheck {
  readonly argv: readonly string[];
  /** Applied to stdout then stderr; capture group 1 is the version. */
  readonly pattern: RegExp;
}

export interface ToolDefinition {
  readonly name: string;
  readonly summary: string;
  readonly sources: readonly ToolSource[];
  readonly check: ToolCheck;
  /** The version asked for when a request names the tool without one (e.g. Node.js `20`). */
  readonly defaultVersion?: string;
}

/** Tool names: lowercase words, as in `--tools go,python`. */
export const TOOL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * A requested version: dotted numbers with an optional pre-release or build suffix (`20`,
 * `1.23.0`, `3.12`, `2.0.0-beta.1`). Never starts with `-`, so it is safe as an argument.
 */
export const TOOL_VERSION_PATTERN = /^[0-9]+(\.[0-9]+){0,3}([-+][0-9A-Za-z.]+)?$/;

/** One tool a VM should have. `required`: asked for in the request (the default set is not). */
export interface ToolRequest {
  name: string;
  /** Null: any version (the catalog's default version when it has one). */
  version: string | null;
  required: boolean;
}

/** How a VM came to have a tool: it was there already, or it was installed from a source. */
export type ToolOrigin = 'image' | ToolSourceKind;

export interface InstalledTool {
  name: string;
  /** What the tool's version command printed. */
  version: string;
  origin: ToolOrigin;
}

/** A default tool the VM could not get (a requested one fails the create instead). */
export interface MissingTool {
  name: string;
  version: string | null;
  reason: string;
}

/** What a VM records about its tools (`vms.tools`). */
export interface VmTools {
  requested: ToolRequest[];
  installed: InstalledTool[];
  missing: MissingTool[];
  /** Guest directories holding tools installed at create time; put on every command's PATH. */
  pathDirs: string[];
}

/** Deadline of a create's tool installation when none is configured (AETHER_TOOL_INSTALL_TIMEOUT_MS). */
export const DEFAULT_TOOL_INSTALL_TIMEOUT_MS = 20 * 60_000;

/** The PATH the guest agent and the docker driver give commands. */
export const GUEST_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A command's environment with the directories of tools installed at create time ahead of the
 * guest's PATH; a PATH the caller set is left as it is.
 */
export function withToolPath(
  tools: Pick<VmTools, 'pathDirs'> | null,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  if (!tools || tools.pathDirs.length === 0 || env.PATH !== undefined) return { ...env };
  return { ...env, PATH: [...tools.pathDirs, GUEST_DEFAULT_PATH].join(':') };
}

/**
 * Whether an installed version satisfies a requested one: equal, or the request is a prefix at
 * a dot boundary (`20` is met by `20.19.1`, `1.23` by `1.23.0`; `1.2` is not met by `1.23.0`).
 */
export function versionSatisfies(installed: string, requested: string | null): boolean {
  if (requested === null) return true;
  return installed === requested || installed.startsWith(`${requested}.`);
}

/** The version in a version command's output, or null when the pattern does not match. */
export function parseToolVersion(check: ToolCheck, stdout: string, stderr = ''): string | null {
  for (const text of [stdout, stderr]) {
    const match = check.pattern.exec(text);
    if (match?.[1]) return match[1];
  }
  return null;
}

function invalid(field: string, message: string): AetherError {
  return new AetherError('ERR_VALIDATION', message, { details: { field } });
}

/** `go,python` → `['go', 'python']`; blanks dropped. Names are checked by the catalog. */
export function parseToolList(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** `go=1.23.0,node=20` → `{go: '1.23.0', node: '20'}`; ERR_VALIDATION naming the bad entry. */
export function parseToolVersions(text: string, field = 'tool_versions'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of parseToolList(text)) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq).trim();
    const version = entry.slice(eq + 1).trim();
    if (eq <= 0 || version === '') {
      throw invalid(field, `${field}: ${JSON.stringify(entry)} must be NAME=VERSION, e.g. go=1.23.0`);
    }
    out[name] = version;
  }
  return out;
}
