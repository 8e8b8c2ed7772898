import type { Command } from 'commander';
import { clientFromEnv } from '../client-from-env.js';
import { age, printJson, printTable } from '../format.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Reading commands print JSON when asked, or when their output goes to a pipe or a file. */
function wantsJson(opts: { json?: boolean }): boolean {
  return opts.json === true || !process.stdout.isTTY;
}

/** `aether webhook create|ls|rm|deliveries|redeliver`: outbound webhooks of the caller's project. */
export function registerWebhookCommands(program: Command): void {
  const webhook = program.command('webhook').description('send events of your project to a URL, signed');

  webhook
    .command('create')
    .description('subscribe a URL to events; prints the signing secret once (store it now)')
    .requiredOption('--url <url>', 'where events are POSTed (http or https)')
    .requiredOption('--event <pattern>', 'an event (vm.created), a group (vm.*) or *; repeatable', collect)
    .option('--inactive', 'record the subscription without sending yet')
    .option('--json', 'print JSON')
    .action(async (opts: { url: string; event: string[]; inactive?: boolean; json?: boolean }) => {
      const created = await clientFromEnv().createWebhook({
        url: opts.url,
        events: opts.event,
        ...(opts.inactive ? { active: false } : {}),
      });
      if (opts.json) return printJson(created);
      process.stdout.write(`${created.secret}\n`);
      process.stderr.write(
        `webhook ${created.webhook.id} sends ${created.webhook.events.join(', ')} to ${created.webhook.url}; ` +
          'the secret above signs every delivery and is shown only now\n',
      );
    });

  webhook
    .command('ls')
    .description('list webhook subscriptions (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const webhooks = await clientFromEnv().listWebhooks();
      if (wantsJson(opts)) return printJson(webhooks);
      printTable(
        ['ID', 'URL', 'EVENTS', 'ACTIVE', 'PROJECT', 'CREATED'],
        webhooks.map((w) => [
          w.id,
          w.url,
          w.events.join(','),
          w.active ? 'yes' : 'no',
          w.project,
          `${age(w.created_at)} ago`,
        ]),
      );
    });

  webhook
    .command('rm <id>')
    .description('delete a webhook subscription and its delivery log')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const deleted = await clientFromEnv().deleteWebhook(id);
      if (opts.json) return printJson(deleted);
      process.stdout.write(`deleted ${deleted.id} (${deleted.url})\n`);
    });

  webhook
    .command('deliveries <id>')
    .description("list a webhook's deliveries, newest first")
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10))
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { limit?: number; json?: boolean }) => {
      const deliveries = await clientFromEnv().listWebhookDeliveries(
        id,
        opts.limit === undefined ? {} : { limit: opts.limit },
      );
      if (wantsJson(opts)) return printJson(deliveries);
      printTable(
        ['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST CODE', 'LAST ERROR', 'NEXT ATTEMPT', 'CREATED'],
        deliveries.map((d) => [
          d.id,
          d.event,
          d.status,
          d.attempts,
          d.last_status_code ?? '-',
          d.last_error ?? '-',
          d.next_attempt_at ?? '-',
          `${age(d.created_at)} ago`,
        ]),
      );
    });

  webhook
    .command('redeliver <id> <delivery>')
    .description('send a delivery again, as a new delivery')
    .option('--json', 'print JSON')
    .action(async (id: string, delivery: string, opts: { json?: boolean }) => {
      const again = await clientFromEnv().redeliverWebhook(id, delivery);
      if (opts.json) return printJson(again);
      process.stdout.write(`queued ${again.id} (${again.event}), a redelivery of ${delivery}\n`);
    });
}
