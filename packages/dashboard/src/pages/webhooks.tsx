import { useState } from 'preact/hooks';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { del, get, type Schemas, seg } from '../lib/api';
import { useAction } from '../lib/use-action';
import { useApi } from '../lib/use-api';
import { OneTimeSecret } from './keys/one-time-secret';
import type { PageProps } from './page-props';
import { CreateWebhookForm } from './webhooks/create-webhook-form';
import { WebhookTable } from './webhooks/webhook-table';

/** Outbound webhook subscriptions: list, add (the signing secret shown once), delete. */
export function WebhooksPage({ session }: PageProps) {
  const webhooks = useApi((signal) => get<Schemas['WebhookList']>('/webhooks', undefined, signal), []);
  const [created, setCreated] = useState<Schemas['CreatedWebhook'] | undefined>();
  const removal = useAction();
  const remove = async (webhook: Schemas['Webhook']) => {
    await removal.run(() => del<Schemas['Webhook']>(`/webhooks/${seg(webhook.id)}`));
    webhooks.reload();
  };
  return (
    <Page title="Webhooks">
      {created ? (
        <OneTimeSecret
          title={`Signing secret for ${created.webhook.url}`}
          secret={created.secret}
          usage="Each delivery carries X-Aether-Signature: the HMAC-SHA256, keyed with this secret, of its X-Aether-Timestamp, a dot and the raw body. Check it before trusting an event."
          onDone={() => setCreated(undefined)}
        />
      ) : null}
      <CreateWebhookForm
        onCreated={(webhook) => {
          setCreated(webhook);
          webhooks.reload();
        }}
      />
      <h2>Subscriptions</h2>
      <ErrorNotice error={removal.error} />
      <ErrorNotice error={webhooks.error} />
      {webhooks.data ? (
        <WebhookTable webhooks={webhooks.data.webhooks} showProject={session.admin} onDelete={remove} />
      ) : webhooks.loading ? (
        <Loading what="Loading subscriptions" />
      ) : null}
    </Page>
  );
}
