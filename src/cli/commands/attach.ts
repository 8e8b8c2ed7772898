import type { AetherClient } from '@aetherium/sdk';
import { AetherApiError } from '@aetherium/sdk';
import type { Command } from 'commander';
import { AetherError } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import { TERMINAL_ID_PATTERN } from '../../core/terminal.js';
import { clientFromEnv } from '../client-from-env.js';
import { followToTerminal } from '../exec-stream.js';
import { relayTerminal } from '../terminal-client.js';

function parseSeq(text: string): number {
  const seq = Number(text);
  if (!Number.isInteger(seq) || seq < 0) {
    throw new AetherError('ERR_VALIDATION', `--after takes a chunk's seq, a whole number, not "${text}"`);
  }
  return seq;
}

/**
 * `aether attach EXECUTION`: follow an execution's output to its end, as `exec` does.
 * `aether attach VM [TERMINAL]`: re-attach to a terminal session of the VM (the one named, else
 * the most recent one no client is attached to), like `tmux attach`.
 */
export function registerAttachCommand(program: Command): void {
  program
    .command('attach <execution-or-vm> [terminal]')
    .description(
      "follow an execution's output to its end (exits with its exit code), or re-attach to a VM's terminal session",
    )
    .option('--after <seq>', 'only output after this chunk seq (resume; executions only)', parseSeq)
    .action(async (target: string, terminal: string | undefined, opts: { after?: number }) => {
      const client = clientFromEnv();
      if (!terminal && isUuid(target) && (await isExecution(client, target))) {
        process.exitCode = await followToTerminal(client, target, {
          ...(opts.after !== undefined ? { afterSeq: opts.after } : {}),
        });
        return;
      }
      if (opts.after !== undefined) throw new AetherError('ERR_VALIDATION', '--after is for executions only');
      const terminalId = terminal ?? (await latestDetached(client, target));
      if (!TERMINAL_ID_PATTERN.test(terminalId)) {
        throw new AetherError('ERR_VALIDATION', `"${terminalId}" is not a terminal id (term_…)`);
      }
      process.exitCode = await relayTerminal(client, target, terminalId, { input: true });
    });
}

async function isExecution(client: AetherClient, id: string): Promise<boolean> {
  try {
    await client.getExecution(id);
    return true;
  } catch (error) {
    if (error instanceof AetherApiError && error.status === 404) return false;
    throw error;
  }
}

/** The VM's running session with no client, most recent first; else its most recent running one. */
async function latestDetached(client: AetherClient, vm: string): Promise<string> {
  const running = (await client.listTerminals(vm)).filter((t) => t.status === 'running');
  running.sort((a, b) => b.created_at.localeCompare(a.created_at));
  const chosen = running.find((t) => t.clients === 0) ?? running[0];
  if (!chosen) {
    throw new AetherError(
      'ERR_TERMINAL_NOT_FOUND',
      `VM ${vm} has no terminal session running; start one with: aether shell ${vm}`,
    );
  }
  return chosen.id;
}
