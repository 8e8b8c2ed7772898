import { useState } from 'preact/hooks';
import { FormField } from '../../components/form-field';
import { ErrorNotice } from '../../components/states';
import { post, type Schemas } from '../../lib/api';
import { useAction } from '../../lib/use-action';
import { type CreateWebhookRequest, EVENT_GROUPS, EVENTS, type EventChoice } from './webhook-events';

interface Props {
  onCreated: (created: Schemas['CreatedWebhook']) => void;
}

/** The request the form's values make, or why they cannot make one. */
function requestOf(url: string, events: ReadonlySet<string>): CreateWebhookRequest {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new Error('URL: a full address such as https://example.com/hooks/aether');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('URL: use http or https');
  if (events.size === 0) throw new Error('Events: choose at least one');
  return { url: url.trim(), events: [...events] };
}

function EventBox({
  choice,
  checked,
  onToggle,
}: {
  choice: EventChoice;
  checked: boolean;
  onToggle: () => void;
}) {
  const id = `event-${choice.pattern.replace('*', 'all')}`;
  return (
    <div>
      <input id={id} type="checkbox" checked={checked} onChange={onToggle} />{' '}
      <label for={id}>
        <code>{choice.pattern}</code> <span class="muted">({choice.meaning})</span>
      </label>
    </div>
  );
}

/** POST /webhooks: a URL and the events it receives; the answer holds the signing secret, once. */
export function CreateWebhookForm({ onCreated }: Props) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<ReadonlySet<string>>(new Set());
  const creating = useAction();
  const toggle = (pattern: string) => {
    const next = new Set(events);
    if (!next.delete(pattern)) next.add(pattern);
    setEvents(next);
  };
  const create = async () => {
    const created = await post<Schemas['CreatedWebhook']>('/webhooks', requestOf(url, events));
    setUrl('');
    setEvents(new Set());
    onCreated(created);
  };
  const box = (choice: EventChoice) => (
    <EventBox
      key={choice.pattern}
      choice={choice}
      checked={events.has(choice.pattern)}
      onToggle={() => toggle(choice.pattern)}
    />
  );
  return (
    <form class="card" onSubmit={creating.submit(create)} aria-labelledby="create-webhook-title">
      <h2 id="create-webhook-title">Add a subscription</h2>
      <FormField
        id="webhook-url"
        label="URL"
        hint="Events are POSTed here, signed with the secret shown after creating (X-Aether-Signature)."
      >
        {(describedBy) => (
          <input
            id="webhook-url"
            type="url"
            required
            maxLength={2048}
            placeholder="https://example.com/hooks/aether"
            aria-describedby={describedBy}
            value={url}
            onInput={(event) => setUrl(event.currentTarget.value)}
          />
        )}
      </FormField>
      <fieldset class="field">
        <legend>Events</legend>
        {EVENT_GROUPS.map(box)}
        {EVENTS.map(box)}
      </fieldset>
      <ErrorNotice error={creating.error} />
      <button type="submit" class="button primary" disabled={creating.busy}>
        {creating.busy ? 'Creating…' : 'Create webhook'}
      </button>
    </form>
  );
}
