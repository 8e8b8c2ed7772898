import { useEffect, useState } from 'preact/hooks';
import { type FilterSpec, Filters } from '../components/filters';
import { Link } from '../components/link';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { StatusBadge } from '../components/status';
import { get, post, type Schemas, seg } from '../lib/api';
import { everyValue } from '../lib/every-value';
import { shortId, when } from '../lib/format';
import { useAction } from '../lib/use-action';
import { useApi } from '../lib/use-api';
import type { PageProps } from './page-props';
import { DeliveryTable } from './webhooks/delivery-table';

/**
 * Deliveries change as the dispatcher works through retries, and no stream carries that; while
 * one is still pending the list is read again at this slow pace.
 */
const PENDING_REFRESH_MS = 15_000;

const STATUSES = everyValue<Schemas['WebhookDelivery']['status']>({
  pending: true,
  delivered: true,
  failed: true,
});
const FILTERS: readonly FilterSpec[] = [{ name: 'status', label: 'Status', options: STATUSES }];

function Subscription({ webhook }: { webhook: Schemas['Webhook'] }) {
  return (
    <dl class="facts card">
      <dt>URL</dt>
      <dd>{webhook.url}</dd>
      <dt>Events</dt>
      <dd class="mono">{webhook.events.join(', ')}</dd>
      <dt>Active</dt>
      <dd>
        <StatusBadge status={webhook.active ? 'active' : 'inactive'} />
      </dd>
      <dt>Project</dt>
      <dd>{webhook.project}</dd>
      <dt>Created</dt>
      <dd>{when(webhook.created_at)}</dd>
      <dt>ID</dt>
      <dd class="mono">{webhook.id}</dd>
    </dl>
  );
}

/** One outbound webhook subscription: what it sends where, and each delivery with a Redeliver button. */
export function WebhookPage({ params, query }: PageProps) {
  const id = params.id ?? '';
  // There is no GET /webhooks/{id}: the subscription comes from the list.
  const webhooks = useApi((signal) => get<Schemas['WebhookList']>('/webhooks', undefined, signal), []);
  const deliveries = useApi(
    (signal) => get<Schemas['WebhookDeliveryList']>(`/webhooks/${seg(id)}/deliveries`, undefined, signal),
    [id],
  );
  const [notice, setNotice] = useState<string | undefined>();
  const redelivery = useAction();
  const webhook = webhooks.data?.webhooks.find((candidate) => candidate.id === id);
  const all = deliveries.data?.deliveries;
  const status = query.get('status') ?? '';
  const shown = status ? all?.filter((delivery) => delivery.status === status) : all;

  const anyPending = all?.some((delivery) => delivery.status === 'pending') ?? false;
  const { reload } = deliveries;
  useEffect(() => {
    if (!anyPending) return;
    const timer = setInterval(reload, PENDING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [anyPending, reload]);

  const redeliver = async (delivery: Schemas['WebhookDelivery']) => {
    setNotice(undefined);
    await redelivery.run(async () => {
      const again = await post<Schemas['WebhookDelivery']>(
        `/webhooks/${seg(id)}/deliveries/${seg(delivery.id)}/redeliver`,
      );
      setNotice(`${delivery.event} queued again as delivery ${shortId(again.id)}.`);
    });
    reload();
  };

  return (
    <Page
      title={webhook ? `Webhook ${webhook.url}` : 'Webhook'}
      actions={
        <>
          <Link href="/webhooks" class="button">
            All webhooks
          </Link>
          <button type="button" class="button" onClick={reload}>
            Refresh
          </button>
        </>
      }
    >
      <ErrorNotice error={webhooks.error} />
      {webhook ? <Subscription webhook={webhook} /> : null}
      <h2>Deliveries</h2>
      <Filters filters={FILTERS} query={query} />
      <div role="status">{notice ? <p class="notice notice-ok">{notice}</p> : null}</div>
      <ErrorNotice error={redelivery.error} />
      <ErrorNotice error={deliveries.error} />
      {shown ? (
        <DeliveryTable
          deliveries={shown}
          empty={
            status
              ? `No ${status} deliveries among the latest.`
              : 'No deliveries yet: events matching the subscription will show here.'
          }
          onRedeliver={redeliver}
        />
      ) : deliveries.loading ? (
        <Loading what="Loading deliveries" />
      ) : null}
    </Page>
  );
}
