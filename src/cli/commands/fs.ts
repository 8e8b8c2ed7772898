import type { FsEntry } from '@aetherium/sdk';
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { formatMode } from '../file-mode.js';
import { printFields, printJson, printTable } from '../format.js';

/** `name -> target` for a symlink, the name otherwise. */
function displayName(entry: FsEntry): string {
  return entry.target === undefined ? entry.name : `${entry.name} -> ${entry.target}`;
}

/** `aether fs ...`: look at and arrange files inside a VM (copy them with `aether cp`). */
export function registerFsCommands(program: Command): void {
  const fs = program.command('fs').description('list, inspect, make, move and remove files inside a VM');

  fs.command('ls <vm> [path]')
    .description("list a directory in the VM (default: the VM's home)")
    .option('-R, --recursive', 'every entry below it, named relative to it')
    .option('--json', 'print JSON')
    .action(async (vm: string, path: string | undefined, opts: { recursive?: boolean; json?: boolean }) => {
      const listing = await clientFromEnv().listFiles(vm, path ?? '.', {
        ...(opts.recursive ? { recursive: true } : {}),
      });
      if (opts.json) return printJson(listing);
      printTable(
        ['MODE', 'SIZE', 'MODIFIED', 'NAME'],
        listing.entries.map((e) => [formatMode(e.type, e.mode), e.size, e.mtime, displayName(e)]),
      );
      if (listing.truncated) {
        process.stderr.write(
          `aether: the listing stops at ${listing.entries.length} entries; list subdirectories\n`,
        );
      }
    });

  fs.command('stat <vm> <path>')
    .description('describe one path in the VM (a symlink as itself)')
    .option('--json', 'print JSON')
    .action(async (vm: string, path: string, opts: { json?: boolean }) => {
      const entry = await clientFromEnv().statFile(vm, path);
      if (opts.json) return printJson(entry);
      printFields([
        ['name', entry.name],
        ['type', entry.type],
        ['size', entry.size],
        ['mode', `${formatMode(entry.type, entry.mode)} (${entry.mode.toString(8).padStart(4, '0')})`],
        ['modified', entry.mtime],
        ['target', entry.target],
      ]);
    });

  fs.command('mkdir <vm> <paths...>')
    .description('make directories in the VM')
    .option('-p, --parents', 'make missing parents too; a directory that exists is fine')
    .action(async (vm: string, paths: string[], opts: { parents?: boolean }) => {
      const client = clientFromEnv();
      for (const path of paths) await client.makeDirectory(vm, path, { parents: opts.parents ?? false });
    });

  fs.command('rm <vm> <paths...>')
    .description('remove files, symlinks (not what they point to) and empty directories in the VM')
    .option('-r, --recursive', 'remove directories with everything in them')
    .action(async (vm: string, paths: string[], opts: { recursive?: boolean }) => {
      const client = clientFromEnv();
      for (const path of paths) await client.removeFile(vm, path, { recursive: opts.recursive ?? false });
    });

  fs.command('mv <vm> <from> <to>')
    .description('move or rename a path in the VM')
    .action(async (vm: string, from: string, to: string) => {
      await clientFromEnv().moveFile(vm, from, to);
    });
}
