import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
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
  /**
   * The workspace as a tar stream, unpacked into WORKSPACE_DIR through the data plane before the
   * command runs. A factory, so that nothing is read for a VM that never started.
   */
  workspaceTar?: () => AsyncIterable<Uint8Array>;
  /**
   * Called once the command exited (not when it could not run), while the VM still exists, with
   * the workspace as a tar stream whose top entry is `repo/` (its `.git` included) and the run's
   * result so far. The stream is destroyed when the call settles, read or not; what the call
   * throws is what the run throws.
   */
  collectChanges?: (workspace: Readable, run: VmRunResult) => Promise<void>;
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

/** The tail of `text`: its last lines, at most a few thousand characters. */
export function tailOf(text: string, lines = OUTPUT_TAIL_LINES): string {
  const kept = text.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  return kept.length > OUTPUT_TAIL_CHARS ? `…${kept.slice(-OUTPUT_TAIL_CHARS)}` : kept;
}

/**
 * Runs one command in a fresh VM and deletes the VM after it, whatever happened: create, copy the
 * workspace in, run, read the output, hand the workspace back if asked. Commands go through the
 * task service and files through the data plane, as `access`: no repository byte is kept in a
 * task row or passes through a command line.
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
      await platform
        .uploadTree(access, vm.id, WORKSPACE_DIR, spec.workspaceTar(), {
          signal: AbortSignal.timeout(spec.timeoutMs),
        })
        .catch((error: unknown) => {
          throw stepFailed('the repository could not be copied into the VM', error);
        });
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
      const workspace = await platform
        .downloadTree(access, vm.id, WORKSPACE_DIR, { signal: AbortSignal.timeout(spec.timeoutMs) })
        .catch((error: unknown) => {
          throw stepFailed('the changed tree could not be read from the VM', error);
        });
      try {
        await spec.collectChanges(workspace, result);
      } finally {
        workspace.destroy();
      }
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

/** `error` with what the run was doing when it happened; its code (a full disk, a cut) is kept. */
function stepFailed(step: string, error: unknown): AetherError {
  if (error instanceof AetherError) {
    return new AetherError(error.code, `${step}: ${error.message}`, {
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AetherError('ERR_INTEGRATION_FAILED', `${step}: ${message}`, { cause: error });
}

interface ExecOutcome {
  exitCode: number | null;
  timedOut: boolean;
  error: string | null;
  /** stdout and stderr interleaved as written. */
  text: string;
}

async function execIn(
  platform: IntegrationPlatform,
  access: Access,
  vmId: string,
  step: { script: string; args?: string[]; timeoutMs: number },
): Promise<ExecOutcome> {
  const { executionId } = await platform.execute(access, vmId, {
    command: 'sh',
    args: ['-c', step.script, 'aether', ...(step.args ?? [])],
    timeoutMs: step.timeoutMs,
  });
  const waitMs = step.timeoutMs + 60_000;
  const parts: Uint8Array[] = [];
  let end: Exclude<OutputEvent, { type: 'chunk' }> | null = null;
  for await (const event of platform.followOutput(access, executionId, {
    signal: AbortSignal.timeout(waitMs),
  })) {
    if (event.type !== 'chunk') end = event;
    else parts.push(event.data);
  }
  if (!end) {
    throw new AetherError(
      'ERR_WAIT_TIMEOUT',
      `execution ${executionId} did not finish within ${waitMs} ms; it goes on running`,
    );
  }
  if (end.type === 'failed') {
    const { code, message } = end.error;
    return { exitCode: null, timedOut: false, error: `${code}: ${message}`, text: '' };
  }
  const { execution } = end;
  return {
    exitCode: execution.exitCode,
    timedOut: execution.timedOut,
    error: execution.error ? `${execution.error.code}: ${execution.error.message}` : null,
    text: outputText(Buffer.concat(parts)),
  };
}
