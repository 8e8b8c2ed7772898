import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

function positiveDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1)
    throw new Error('--expires-in-days takes a whole number of days, 1 or more');
  return days;
}

/** `aether key create|ls|revoke`: API keys of the caller's project (every project for an admin). */
export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('manage API keys');

  key
    .command('create <name>')
    .description('make an API key; prints it once (store it now)')
    .option('--project <project>', "project the key acts for (default: the caller's)")
    .option('--admin', 'an admin key: sees every project (needs an admin key)')
    .option('--expires-in-days <days>', 'stop working after this many days', positiveDays)
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        opts: { project?: string; admin?: boolean; expiresInDays?: number; json?: boolean },
      ) => {
        const created = await clientFromEnv().createKey({
          name,
          ...(opts.project ? { project: opts.project } : {}),
          ...(opts.admin ? { admin: true } : {}),
          ...(opts.expiresInDays ? { expires_in_days: opts.expiresInDays } : {}),
        });
        if (opts.json) return printJson(created);
        process.stdout.write(`${created.secret}\n`);
        process.stderr.write(
          `key ${created.key.id} for project ${created.key.project}${created.key.admin ? ' (admin)' : ''}${
            created.key.expires_at ? `, expires ${created.key.expires_at}` : ''
          }; it is shown only now: use it as AETHER_TOKEN\n`,
        );
      },
    );

  key
    .command('ls')
    .description('list API keys (never the keys themselves)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const keys = await clientFromEnv().listKeys();
      if (opts.json) return printJson(keys);
      printTable(
        ['ID', 'NAME', 'PROJECT', 'ADMIN', 'STATE', 'CREATED', 'EXPIRES'],
        keys.map((k) => [
          k.id,
          k.name,
          k.project,
          k.admin ? 'yes' : 'no',
          k.state,
          `${age(k.created_at)} ago`,
          k.expires_at ?? '-',
        ]),
      );
    });

  key
    .command('revoke <id>')
    .description('revoke an API key at once')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const revoked = await clientFromEnv().revokeKey(id);
      if (opts.json) return printJson(revoked);
      process.stdout.write(`revoked ${revoked.id} (${revoked.name})\n`);
    });
}
