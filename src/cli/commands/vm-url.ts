/** `aether vm url`: preview URLs of ports inside a VM (docs/ports.md). */
import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65_535) throw new Error(`PORT is 1 to 65535, not "${value}"`);
  return n;
}

async function createUrl(idOrName: string, portText: string, opts: { expires?: string; json?: boolean }) {
  const created = await clientFromEnv().createPreview(idOrName, port(portText), {
    ...(opts.expires !== undefined ? { expiresIn: opts.expires } : {}),
  });
  if (opts.json) return printJson(created);
  process.stdout.write(`${created.url}\n`);
  process.stderr.write(
    `preview ${created.id} of port ${created.port}, until ${created.expires_at}; anyone with the URL reaches the app: it is shown only now\n`,
  );
}

export function registerVmUrlCommands(vm: Command): void {
  const url = vm
    .command('url')
    .description('make a preview URL of a port inside a VM (prints it once); `url ls`, `url revoke`')
    .argument('<vm>', 'VM id or name')
    .argument('<port>', 'the port the app listens on inside the VM')
    .option('--expires <duration>', 'how long the URL works: 30m, 2h, 1d (default 1h, at most 7d)')
    .option('--json', 'print JSON')
    .action(createUrl);

  // The same, for a VM named like a subcommand (`ls`, `revoke`).
  url
    .command('create <vm> <port>')
    .description('make a preview URL of a port inside a VM (prints it once)')
    .option('--expires <duration>', 'how long the URL works: 30m, 2h, 1d (default 1h, at most 7d)')
    .option('--json', 'print JSON')
    .action(createUrl);

  url
    .command('ls <vm>')
    .description("list a VM's preview URLs (never the URLs themselves: their tokens are shown once)")
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { json?: boolean }) => {
      const previews = await clientFromEnv().listPreviews(idOrName);
      if (opts.json) return printJson(previews);
      printTable(
        ['ID', 'PORT', 'STATE', 'CREATED', 'EXPIRES', 'BY'],
        previews.map((p) => [
          p.id,
          p.port,
          p.state,
          `${age(p.created_at)} ago`,
          p.expires_at,
          p.created_by ?? '-',
        ]),
      );
    });

  url
    .command('revoke <vm> <id>')
    .description('revoke a preview URL at once')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, id: string, opts: { json?: boolean }) => {
      await clientFromEnv().revokePreview(idOrName, id);
      if (opts.json) return printJson({ ok: true });
      process.stdout.write(`revoked ${id}\n`);
    });
}
