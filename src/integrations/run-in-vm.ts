import { randomBytes } from 'node:crypto';
import { AetherError } from '../core/errors.js';
import { type OutputEvent, outputText } from '../core/output.js';
import type { Access } from '../core/principal.js';
import type { IntegrationPlatform } from './platform.js';

/** The folder (under the VM's home) a shipped repository is unpacked into and commands run in. */
export const WORKSPACE_DIR = 'repo';

/** Lines of output a comment or message shows: the end, where failures are. */
export const OUTPUT_TAIL_LINES = 40;
const OUTPUT_TAIL_CHARS = 3_000;

export interface VmRunSpec {
  /** Prefix of the VM's name (a DNS label part): `gh-pr-12`, `slack`. */
  label: string;
  /** Run by `sh -c` inside the VM, in the workspace when one was shipped. Never on the host. */
  command: string;
  /** A tar archive (base64) unpacked into the workspace before the command runs. */
  workspaceTar?: string;
  /** After the command: the workspace (without .git) as a tar archive, base64. */
  collectChanges?: boolean;
  timeoutMs: number;
  metadata?: Record<string, string>;
}

export interface VmRunResult {
  vmId: string;
  exitCode: number | null;
  timedOut: boolean;
  /** Why the command did not run or finish (ERR_ code and message), null when it exited. */
  error: string | null;
  /** The last lines of stdout and stderr as they interleaved. */
  outputTail: string;
  durationMs: number;
  /** With `collectChanges`: the workspace after the command, a tar archive in base64. */
  changesTar?: string;
}

/** A VM name: the label, then random hex so concurrent runs never collide. */
function vmName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${clean || 'run'}-${randomBytes(4).toString('hex')}`;
}

/** Largest workspace archive (base64 characters) a run carries into its VM: 24 MiB of tar. */
export const MAX_WORKSPACE_BASE64 = 32 * 1024 ** 2;

/** The tail of `text`: its last lines, at most a few thousand characters. */
export function tailOf(text: string, lines = OUTPUT_TAIL_LINES): string {
  const kept = text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  return kept.length > OUTPUT_TAIL_CHARS ? `…${kept.slice(-OUTPUT_TAIL_CHARS)}` : kept;
}

/**
 * Runs one command in a fresh VM and deletes the VM after it, whatever happened: create, unpack
 * the workspace (fed through stdin, so nothing is built into a command line), run, read the
 * output, collect the changed tree if asked. Everything goes through the task service, as
 * `access`.
 */
export async function runInFreshVm(
  platform: IntegrationPlatform,
  access: Access,
  spec: VmRunSpec,
): Promise<VmRunResult> {
  const started = Date.now();
  const { task: createTask, vm } = await platform.createVm(access, {
    name: vmName(spec.label),
    metadata: { source: spec.label, ...spec.metadata },
  });
  try {
    const created = await platform.waitForTask(createTask.id, spec.timeoutMs);
    if (created.status !== 'completed') {
      throw new AetherError(
        created.error?.code ?? 'ERR_DRIVER_FAILED',
        `VM ${vm.name} did not start: ${created.error?.message ?? created.status}`,
      );
    }
    if (spec.workspaceTar !== undefined) {
      // The archive travels as the unpack command's stdin, which the store keeps with the task:
      // a bound keeps a large repository from bloating the tasks table.
      if (spec.workspaceTar.length > MAX_WORKSPACE_BASE64) {
        throw new AetherError(
          'ERR_INTEGRATION_FAILED',
          `the repository is ${Math.round((spec.workspaceTar.length * 3) / 4 / 1024 ** 2)} MiB packed; runs take at most ${(MAX_WORKSPACE_BASE64 * 3) / 4 / 1024 ** 2} MiB`,
        );
      }
      const unpack = await execIn(platform, access, vm.id, {
        script: `mkdir -p ${WORKSPACE_DIR} && base64 -d | tar -xf - -C ${WORKSPACE_DIR}`,
        stdin: spec.workspaceTar,
        timeoutMs: spec.timeoutMs,
      });
      if (unpack.exitCode !== 0) {
        throw new AetherError(
          'ERR_INTEGRATION_FAILED',
          `the repository could not be unpacked in the VM: ${tailOf(unpack.text, 5)}`,
        );
      }
    }
    // The user's command is an argument of a fixed script, run by the VM's shell.
    const run = await execIn(platform, access, vm.id, {
      script: `cd ${WORKSPACE_DIR} 2>/dev/null; eval "$1"`,
      args: [spec.command],
      timeoutMs: spec.timeoutMs,
    });
    const result: VmRunResult = {
      vmId: vm.id,
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      error: run.error,
      outputTail: tailOf(run.text),
      durationMs: Date.now() - started,
    };
    if (spec.collectChanges && run.error === null) {
      const pack = await execIn(platform, access, vm.id, {
        script: `cd ${WORKSPACE_DIR} && tar --exclude=./.git -cf - . | base64 | tr -d '\\n'`,
        timeoutMs: spec.timeoutMs,
        separate: true,
      });
      if (pack.exitCode !== 0 || pack.truncated) {
        throw new AetherError(
          'ERR_INTEGRATION_FAILED',
          pack.truncated
            ? 'the changed tree is larger than the output limit (AETHER_OUTPUT_LIMIT_BYTES)'
            : `the changed tree could not be packed: ${tailOf(pack.text, 5)}`,
        );
      }
      result.changesTar = pack.stdout;
    }
    return result;
  } finally {
    await platform
      .deleteVm(access, vm.id)
      .then(({ task }) => platform.waitForTask(task.id, 60_000))
      .catch(() => {
        // Already gone or going: the reaper and the user's `aether vm rm` remain.
      });
  }
}

interface ExecOutcome {
  exitCode: number | null;
  timedOut: boolean;
  error: string | null;
  /** stdout and stderr interleaved as written. */
  text: string;
  stdout: string;
  truncated: boolean;
}

async function execIn(
  platform: IntegrationPlatform,
  access: Access,
  vmId: string,
  step: { script: string; args?: string[]; stdin?: string; timeoutMs: number; separate?: boolean },
): Promise<ExecOutcome> {
  const { executionId } = await platform.execute(access, vmId, {
    command: 'sh',
    args: ['-c', step.script, 'aether', ...(step.args ?? [])],
    ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
    timeoutMs: step.timeoutMs,
  });
  const waitMs = step.timeoutMs + 60_000;
  const parts: Uint8Array[] = [];
  let end: Exclude<OutputEvent, { type: 'chunk' }> | null = null;
  for await (const event of platform.followOutput(access, executionId, {
    signal: AbortSignal.timeout(waitMs),
  })) {
    if (event.type !== 'chunk') end = event;
    else if (!step.separate) parts.push(event.data);
  }
  if (!end) {
    throw new AetherError(
      'ERR_WAIT_TIMEOUT',
      `execution ${executionId} did not finish within ${waitMs} ms; it goes on running`,
    );
  }
  if (end.type === 'failed') {
    const { code, message } = end.error;
    return {
      exitCode: null,
      timedOut: false,
      error: `${code}: ${message}`,
      text: '',
      stdout: '',
      truncated: false,
    };
  }
  const { execution } = end;
  return {
    exitCode: execution.exitCode,
    timedOut: execution.timedOut,
    error: execution.error ? `${execution.error.code}: ${execution.error.message}` : null,
    text: step.separate ? execution.stdout + execution.stderr : outputText(Buffer.concat(parts)),
    stdout: execution.stdout,
    truncated: execution.stdoutTruncated,
  };
}
