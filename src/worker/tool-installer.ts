/**
 * Gives a VM that has just started the tools it asked for: probes the guest (each tool's version
 * command, and the installers npm and mise), plans (core/tool-plan.ts), installs what is missing
 * through the guest agent, verifies each installed tool with its version command, and reports
 * progress as it goes. The whole set has one deadline.
 *
 * Installs run inside the guest, as the guest user, into its home (`~/.aether/tools` for npm,
 * mise's own directory for mise): a VM's root may be read-only and it has no root user. Their
 * bin directories are recorded on the VM and put on every later command's PATH.
 */
import type { VmDriver } from '../core/driver.js';
import { AetherError, isAetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { TaskProgress } from '../core/task.js';
import { TOOL_CATALOG } from '../core/tool-catalog.js';
import { type GuestToolState, INSTALLER_CHECKS, planToolInstall, type ToolStep } from '../core/tool-plan.js';
import {
  GUEST_DEFAULT_PATH,
  type InstalledTool,
  type MissingTool,
  parseToolVersion,
  type ToolCheck,
  type ToolRequest,
  type VmTools,
  versionSatisfies,
} from '../core/tools.js';
import type { ToolProbeCache } from './tool-probe-cache.js';

export interface ToolInstallOptions {
  driver: VmDriver;
  vmId: string;
  /** Whether the VM has outbound network. */
  network: boolean;
  requested: readonly ToolRequest[];
  /** For the whole set: probing, installing and verifying. */
  deadlineMs: number;
  signal: AbortSignal;
  /**
   * PEM certificates installers must trust besides the guest's own (a network that intercepts
   * TLS): written into the guest and named by NODE_EXTRA_CA_CERTS for npm.
   */
  caPem?: string;
  /** Called before each step; a failure to record it is logged, not fatal. */
  onProgress(progress: TaskProgress): Promise<void>;
  /** What fresh VMs of this VM's image were found to have lately (the VM is fresh too). */
  probes?: { cache: ToolProbeCache; image: string };
  logger: Logger;
}

/** A version command gets this long; it only prints a line. */
const CHECK_TIMEOUT_MS = 30_000;
/** Output kept per stream of an install, for the error message. */
const OUTPUT_LIMIT = 64 * 1024;

interface RunResult {
  exitCode: number | null;
  timedOut: boolean;
  /** The command could not start (not on the PATH). */
  notFound: boolean;
  stdout: string;
  stderr: string;
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

class GuestRunner {
  readonly pathDirs: string[] = [];
  /** Set for installers once the CA file is in the guest. */
  readonly env: Record<string, string> = {};
  private readonly deadline: number;

  constructor(
    private readonly options: ToolInstallOptions,
    private readonly deadlineSignal: AbortSignal,
  ) {
    this.deadline = Date.now() + options.deadlineMs;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** Runs argv in the guest within the deadline; ERR_TOOL_INSTALL_TIMEOUT once it has passed. */
  async run(
    argv: readonly string[],
    what: string,
    limitMs = Number.POSITIVE_INFINITY,
    stdin?: Uint8Array,
  ): Promise<RunResult> {
    const remaining = this.remainingMs();
    if (remaining <= 0) throw this.timeout(what);
    const out = { stdout: '', stderr: '' };
    const keep = (key: 'stdout' | 'stderr') => (chunk: Uint8Array) => {
      if (out[key].length < OUTPUT_LIMIT) out[key] += Buffer.from(chunk).toString('utf8');
    };
    const env = { ...this.env, PATH: [...this.pathDirs, GUEST_DEFAULT_PATH].join(':') };
    try {
      const result = await this.options.driver.exec(
        this.options.vmId,
        { argv, env, timeoutMs: Math.max(1, Math.min(remaining, limitMs)), ...(stdin ? { stdin } : {}) },
        { onStdout: keep('stdout'), onStderr: keep('stderr') },
        this.deadlineSignal,
      );
      if (this.remainingMs() <= 0 && (result.timedOut || this.deadlineSignal.aborted))
        throw this.timeout(what);
      return { exitCode: result.exitCode, timedOut: result.timedOut, notFound: false, ...out };
    } catch (error) {
      if (isAetherError(error, 'ERR_EXEC_SPAWN_FAILED')) {
        return { exitCode: null, timedOut: false, notFound: true, ...out };
      }
      if (this.remainingMs() <= 0 && !this.options.signal.aborted) throw this.timeout(what);
      throw error;
    }
  }

  /** The version a check command prints, or null when the command is absent or says nothing usable. */
  async version(check: ToolCheck, what: string): Promise<string | null> {
    const result = await this.run(check.argv, what, CHECK_TIMEOUT_MS);
    if (result.exitCode !== 0) return null;
    return parseToolVersion(check, result.stdout, result.stderr);
  }

  timeout(what: string): AetherError {
    return new AetherError(
      'ERR_TOOL_INSTALL_TIMEOUT',
      `installing the VM's tools took longer than ${this.options.deadlineMs} ms (during ${what}); bake them into the image (aether image build --tools) or raise AETHER_TOOL_INSTALL_TIMEOUT_MS`,
      { details: { deadlineMs: this.options.deadlineMs, during: what } },
    );
  }
}

function unavailableError(step: Extract<ToolStep, { kind: 'unavailable' }>): AetherError {
  const { name, version } = step.request;
  const asked = version === null ? name : `${name} ${version}`;
  const sources = step.tried.map((t) => `${t.source}: ${t.reason}`).join('; ');
  const details = { tool: name, version, sources: step.tried };
  if (step.needsNetwork) {
    return new AetherError(
      'ERR_TOOL_NEEDS_NETWORK',
      `${asked} must be installed and the VM has no network; create it with network, or bake the tool into its image (aether image build --tools ${name}). Sources tried: ${sources}`,
      { details },
    );
  }
  return new AetherError('ERR_TOOL_UNAVAILABLE', `${asked} cannot be had here. Sources tried: ${sources}`, {
    details,
  });
}

/** npm says so when the version (or the package) does not exist in the registry. */
const NPM_NO_SUCH_VERSION = /ETARGET|No matching version|E404|notarget/i;

async function install(
  runner: GuestRunner,
  step: Extract<ToolStep, { kind: 'install' }>,
  home: () => Promise<string>,
): Promise<void> {
  const { request, source, spec } = step;
  let result: RunResult;
  let binDir: string;
  if (source.kind === 'npm') {
    const prefix = `${await home()}/.aether/tools`;
    binDir = `${prefix}/node_modules/.bin`;
    result = await runner.run(
      ['npm', 'install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', spec],
      `npm install ${spec}`,
    );
  } else if (source.kind === 'mise') {
    result = await runner.run(['mise', 'install', spec], `mise install ${spec}`);
    const where =
      result.exitCode === 0 ? await runner.run(['mise', 'where', spec], `mise where ${spec}`) : null;
    binDir = `${where?.stdout.trim() ?? ''}/bin`;
  } else {
    throw new AetherError('ERR_INTERNAL', `${source.kind} sources are not installed at create time`);
  }
  if (result.exitCode !== 0) {
    const output = tail(`${result.stderr}\n${result.stdout}`);
    const details = { tool: request.name, version: request.version, source: source.kind, spec, output };
    if (
      NPM_NO_SUCH_VERSION.test(output) ||
      (source.kind === 'mise' && /not found|no such version/i.test(output))
    ) {
      throw new AetherError(
        'ERR_TOOL_UNAVAILABLE',
        `${request.version === null ? request.name : `${request.name} ${request.version}`} is not available from ${source.kind} (${spec}): ${output.split('\n').find((l) => l.trim() !== '') ?? 'no such version'}`,
        { details },
      );
    }
    throw new AetherError(
      'ERR_TOOL_INSTALL_FAILED',
      `${source.kind} could not install ${spec} (exit ${result.exitCode}): ${output}`,
      { details },
    );
  }
  if (!runner.pathDirs.includes(binDir)) runner.pathDirs.unshift(binDir);
}

/**
 * Probes, installs and verifies; returns what the VM has. A required tool that cannot be had,
 * an install that fails, a verification that disagrees, or the deadline passing throws a coded
 * error (the caller destroys the VM). A default tool that cannot be had is listed as missing.
 */
/** Which requested tools the VM has, and which installers: from the cache or by asking the VM. */
async function probeImage(
  runner: GuestRunner,
  options: ToolInstallOptions,
  report: (current: number, total: number, item: string | null, message: string) => Promise<void>,
): Promise<Omit<GuestToolState, 'network'>> {
  const names = options.requested.map((request) => request.name);
  const cached = options.probes?.cache.get(options.probes.image, names);
  if (cached) {
    const present = new Map<string, string>();
    for (const [name, version] of cached.tools) if (version !== null) present.set(name, version);
    return { present, installers: cached.installers };
  }
  await report(0, names.length, null, `checking ${names.length} tools`);
  // Every VM runs these at create: all at once over the agent's multiplexed channel.
  const [found, npm, mise] = await Promise.all([
    Promise.all(
      names.map(async (name) => {
        const tool = TOOL_CATALOG.get(name);
        const version = tool ? await runner.version(tool.check, `checking ${name}`) : null;
        return [name, version] as const;
      }),
    ),
    runner.version(INSTALLER_CHECKS.npm, 'checking npm'),
    runner.version(INSTALLER_CHECKS.mise, 'checking mise'),
  ]);
  const installers = { npm: npm !== null, mise: mise !== null };
  options.probes?.cache.remember(options.probes.image, { tools: new Map(found), installers });
  const present = new Map<string, string>();
  for (const [name, version] of found) if (version !== null) present.set(name, version);
  return { present, installers };
}

export async function provisionTools(options: ToolInstallOptions): Promise<VmTools> {
  const { requested } = options;
  const tools: VmTools = { requested: [...requested], installed: [], missing: [], pathDirs: [] };
  if (requested.length === 0) return tools;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.deadlineMs);
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  const runner = new GuestRunner(options, signal);
  const report = async (current: number, total: number, item: string | null, message: string) => {
    await options
      .onProgress({ phase: 'tools', current, total, item, message, updatedAt: new Date().toISOString() })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'could not record tool progress'));
  };
  try {
    const state: GuestToolState = {
      ...(await probeImage(runner, options, report)),
      network: options.network,
    };
    const steps = planToolInstall(requested, state);
    const refused = steps.find(
      (step): step is Extract<ToolStep, { kind: 'unavailable' }> =>
        step.kind === 'unavailable' && step.request.required,
    );
    if (refused) throw unavailableError(refused);

    let guestHome: string | undefined;
    const home = async () => {
      if (guestHome === undefined) {
        const result = await runner.run(['printenv', 'HOME'], 'reading the guest HOME', CHECK_TIMEOUT_MS);
        guestHome = result.stdout.trim() || '/tmp';
        if (options.caPem) await installCaFile(runner, guestHome, options.caPem);
      }
      return guestHome;
    };
    const installs = steps.filter((step) => step.kind === 'install');
    let done = 0;
    for (const step of steps) {
      if (step.kind === 'present') {
        tools.installed.push({ name: step.request.name, version: step.version, origin: 'image' });
      } else if (step.kind === 'unavailable') {
        tools.missing.push(missingOf(step));
      } else {
        done++;
        await report(
          done,
          installs.length,
          step.request.name,
          `installing ${step.spec} from ${step.source.kind}`,
        );
        try {
          await install(runner, step, home);
          tools.installed.push(await verify(runner, step));
        } catch (error) {
          // A default tool that failed to install is missing; a requested one fails the create.
          if (step.request.required || isAetherError(error, 'ERR_TOOL_INSTALL_TIMEOUT') || signal.aborted) {
            throw error;
          }
          options.logger.warn(
            { err: error, tool: step.request.name },
            'a default tool could not be installed',
          );
          tools.missing.push({
            name: step.request.name,
            version: step.request.version,
            reason: error instanceof Error ? error.message.split('\n')[0]! : String(error),
          });
        }
      }
    }
    tools.pathDirs = [...runner.pathDirs];
    // Request order, whatever order the steps finished in.
    const order = new Map(requested.map((r, i) => [r.name, i]));
    tools.installed.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    return tools;
  } finally {
    clearTimeout(timer);
  }
}

/** Writes the extra CA certificates into the guest (no shell: mkdir, then tee from stdin). */
async function installCaFile(runner: GuestRunner, home: string, pem: string): Promise<void> {
  const dir = `${home}/.aether`;
  const file = `${dir}/ca-certificates.pem`;
  const mkdir = await runner.run(['mkdir', '-p', dir], 'writing the CA file', CHECK_TIMEOUT_MS);
  const tee =
    mkdir.exitCode === 0
      ? await runner.run(['tee', file], 'writing the CA file', CHECK_TIMEOUT_MS, Buffer.from(pem, 'utf8'))
      : mkdir;
  if (tee.exitCode !== 0) {
    throw new AetherError(
      'ERR_TOOL_INSTALL_FAILED',
      `could not write ${file} in the VM: ${tail(tee.stderr)}`,
    );
  }
  runner.env.NODE_EXTRA_CA_CERTS = file;
}

function missingOf(step: Extract<ToolStep, { kind: 'unavailable' }>): MissingTool {
  return {
    name: step.request.name,
    version: step.request.version,
    reason: step.tried.map((t) => `${t.source}: ${t.reason}`).join('; ') || 'no source',
  };
}

/** The tool's version command must now answer with a version that meets the request. */
async function verify(
  runner: GuestRunner,
  step: Extract<ToolStep, { kind: 'install' }>,
): Promise<InstalledTool> {
  const { request, tool, source, spec } = step;
  const version = await runner.version(tool.check, `verifying ${request.name}`);
  if (version === null || !versionSatisfies(version, request.version)) {
    throw new AetherError(
      'ERR_TOOL_UNAVAILABLE',
      `${request.name}: ${source.kind} installed ${spec} but \`${tool.check.argv.join(' ')}\` reports ${version ?? 'no version'}${request.version ? `, not ${request.version}` : ''}`,
      { details: { tool: request.name, version: request.version, source: source.kind, found: version } },
    );
  }
  return { name: request.name, version, origin: source.kind };
}
