import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { planCopy } from '../copy/copy-operand.js';

/** `aether cp SRC DST`: files and directory trees in and out of a VM, as `docker cp` does. */
export function registerCpCommand(program: Command): void {
  program
    .command('cp <source> <destination>')
    .description(
      'copy files or directories between here and a VM (VM:PATH on one side; - for stdin or stdout)',
    )
    .option('-a, --archive', 'with -: stdin is, or stdout gets, a tar archive (even of one file)')
    .option('--json', 'print what was written in the VM as JSON (copies into a VM)')
    .action(async (source: string, destination: string, opts: { archive?: boolean; json?: boolean }) => {
      const plan = planCopy(source, destination);
      const client = clientFromEnv();
      // The copy code (and node-tar under it) loads only for a copy.
      if (plan.direction === 'from-vm') {
        const { copyFromVm } = await import('../copy/copy-from-vm.js');
        return copyFromVm(client, plan.from, plan.to, { archive: opts.archive ?? false });
      }
      const { copyToVm } = await import('../copy/copy-to-vm.js');
      const written = await copyToVm(client, plan.from, plan.to, { archive: opts.archive ?? false });
      if (opts.json) process.stdout.write(`${JSON.stringify(written)}\n`);
    });
}
