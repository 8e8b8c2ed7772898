/**
 * What to do about each tool a VM should have, decided from what the guest already has. Pure:
 * the worker probes the guest (each tool's version command, and the installers) and carries out
 * the plan; `planImageTools` makes the same choice for an image build.
 */
import { TOOL_CATALOG } from './tool-catalog.js';
import {
  type ToolCheck,
  type ToolDefinition,
  type ToolOrigin,
  type ToolRequest,
  type ToolSource,
  versionSatisfies,
} from './tools.js';

/** The installers a guest may have; probed like tools. */
export const INSTALLER_CHECKS: Readonly<Record<'npm' | 'mise', ToolCheck>> = {
  npm: { argv: ['npm', '--version'], pattern: /(\d+\.\d+\.\d+)/ },
  mise: { argv: ['mise', '--version'], pattern: /(\d+\.\d+\.\d+)/ },
};

/** What a probe of the guest found. */
export interface GuestToolState {
  /** Tool name → the version its version command printed (absent: not there, or it failed). */
  present: ReadonlyMap<string, string>;
  /** Installers found in the guest. */
  installers: { npm: boolean; mise: boolean };
  /** Whether the VM has outbound network (create-time installs need it). */
  network: boolean;
}

/** One source looked at and why it could not be used. */
export interface SourceAttempt {
  /** `image`: the VM's own copy, at another version. */
  source: ToolOrigin;
  reason: string;
}

export type ToolStep =
  /** Already in the guest at an acceptable version: nothing to do. */
  | { kind: 'present'; request: ToolRequest; version: string }
  /** Install from `source` with `spec` (`package@version` for npm, `plugin@version` for mise). */
  | { kind: 'install'; request: ToolRequest; tool: ToolDefinition; source: ToolSource; spec: string }
  /**
   * No source can provide it here. `needsNetwork`: a create-time source exists but the VM has no
   * network (the failure to name when the tool is required).
   */
  | { kind: 'unavailable'; request: ToolRequest; tried: SourceAttempt[]; needsNetwork: boolean };

/** `package@version`, or the bare package (npm's latest) when no version is asked. */
export function sourceSpec(source: ToolSource, version: string | null): string {
  if (source.kind === 'npm') return version === null ? source.package : `${source.package}@${version}`;
  if (source.kind === 'mise') return `${source.plugin}@${version ?? 'latest'}`;
  return source.packages.join(',');
}

function createTimeAttempt(source: ToolSource, name: string, state: GuestToolState): SourceAttempt | null {
  if (source.kind === 'debian') {
    return {
      source: 'debian',
      reason: `Debian packages are baked into the image at build time (aether image build --tools ${name})`,
    };
  }
  if (!state.installers[source.kind]) {
    return { source: source.kind, reason: `the guest has no ${source.kind} command` };
  }
  if (!state.network) return { source: source.kind, reason: 'the VM has no network' };
  return null;
}

function planOne(request: ToolRequest, state: GuestToolState): ToolStep {
  const tool = TOOL_CATALOG.get(request.name);
  const found = state.present.get(request.name);
  if (found !== undefined && versionSatisfies(found, request.version)) {
    return { kind: 'present', request, version: found };
  }
  const tried: SourceAttempt[] = [];
  if (found !== undefined) tried.push({ source: 'image', reason: `the VM has ${request.name} ${found}` });
  for (const source of tool?.sources ?? []) {
    const refused = createTimeAttempt(source, request.name, state);
    if (refused === null && tool) {
      return { kind: 'install', request, tool, source, spec: sourceSpec(source, request.version) };
    }
    if (refused) tried.push(refused);
  }
  // Without network no create-time source can work, whatever installers the guest has.
  const needsNetwork = !state.network && (tool?.sources ?? []).some((source) => source.kind !== 'debian');
  return { kind: 'unavailable', request, tried, needsNetwork };
}

/** One step per request, in request order. */
export function planToolInstall(requests: readonly ToolRequest[], state: GuestToolState): ToolStep[] {
  return requests.map((request) => planOne(request, state));
}

/** What an image build bakes: Debian packages for the recipe, npm specs for the rootfs. */
export interface ImageToolPlan {
  debianPackages: string[];
  npm: { request: ToolRequest; source: Extract<ToolSource, { kind: 'npm' }>; spec: string }[];
  debian: { request: ToolRequest; source: Extract<ToolSource, { kind: 'debian' }> }[];
  /** Tools no build-time source provides (mise only), with the sources looked at. */
  unavailable: { request: ToolRequest; tried: SourceAttempt[] }[];
}

/**
 * The build-time source of each tool: its first `debian` or `npm` source (mise runs only inside
 * a VM). A version asked of a Debian-sourced tool is checked against what the suite installs.
 */
export function planImageTools(requests: readonly ToolRequest[]): ImageToolPlan {
  const plan: ImageToolPlan = { debianPackages: [], npm: [], debian: [], unavailable: [] };
  for (const request of requests) {
    const tool = TOOL_CATALOG.get(request.name);
    const source = tool?.sources.find((s) => s.kind === 'debian' || s.kind === 'npm');
    if (!tool || !source) {
      plan.unavailable.push({
        request,
        tried: (tool?.sources ?? []).map((s) => ({
          source: s.kind,
          reason: 'installs only inside a running VM',
        })),
      });
    } else if (source.kind === 'npm') {
      plan.npm.push({ request, source, spec: sourceSpec(source, request.version) });
    } else if (source.kind === 'debian') {
      plan.debian.push({ request, source });
      plan.debianPackages.push(...source.packages);
    }
  }
  plan.debianPackages = [...new Set(plan.debianPackages)].sort();
  return plan;
}
