import { useState } from 'preact/hooks';
import { FormField } from '../../components/form-field';
import { ErrorNotice } from '../../components/states';
import { post, type Schemas } from '../../lib/api';
import type { Session } from '../../lib/session';
import { useAction } from '../../lib/use-action';
import { type CreateKeyRequest, KEY_NAME_PATTERN, MAX_EXPIRY_DAYS, PROJECT_PATTERN } from './key-requests';

interface Props {
  session: Session;
  onCreated: (created: Schemas['CreatedKey']) => void;
}

/** The request the form's values make, or why they cannot make one. */
function requestOf(name: string, project: string, admin: boolean, expiryDays: string): CreateKeyRequest {
  const body: CreateKeyRequest = { name: name.trim() };
  if (!KEY_NAME_PATTERN.test(body.name)) throw new Error('Name: 1 to 100 printable ASCII characters');
  if (project.trim()) {
    if (!PROJECT_PATTERN.test(project.trim()))
      throw new Error('Project: 1-63 lowercase letters, digits, - or _');
    body.project = project.trim();
  }
  if (admin) body.admin = true;
  if (expiryDays.trim()) {
    const days = Number(expiryDays);
    if (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS) {
      throw new Error(`Expires in: a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`);
    }
    body.expires_in_days = days;
  }
  return body;
}

/** POST /keys. Project and admin are offered to admins only: the API refuses them to others. */
export function CreateKeyForm({ session, onCreated }: Props) {
  const [name, setName] = useState('');
  const [project, setProject] = useState('');
  const [admin, setAdmin] = useState(false);
  const [expiryDays, setExpiryDays] = useState('');
  const creating = useAction();
  const create = async () => {
    const created = await post<Schemas['CreatedKey']>('/keys', requestOf(name, project, admin, expiryDays));
    setName('');
    setProject('');
    setAdmin(false);
    setExpiryDays('');
    onCreated(created);
  };
  return (
    <form class="card" onSubmit={creating.submit(create)} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <FormField id="key-name" label="Name" hint='What the key is for, e.g. "ci on main".'>
        {(describedBy) => (
          <input
            id="key-name"
            required
            maxLength={100}
            aria-describedby={describedBy}
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        )}
      </FormField>
      {session.admin ? (
        <>
          <FormField id="key-project" label="Project" hint={`Empty: your own project (${session.project}).`}>
            {(describedBy) => (
              <input
                id="key-project"
                placeholder={session.project}
                aria-describedby={describedBy}
                value={project}
                onInput={(event) => setProject(event.currentTarget.value)}
              />
            )}
          </FormField>
          <div class="field">
            <label>
              <input
                type="checkbox"
                checked={admin}
                onChange={(event) => setAdmin(event.currentTarget.checked)}
              />{' '}
              Admin key (sees every project and manages the platform)
            </label>
          </div>
        </>
      ) : null}
      <FormField id="key-expiry" label="Expires in (days)" hint="Empty: the key never expires.">
        {(describedBy) => (
          <input
            id="key-expiry"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_EXPIRY_DAYS}
            aria-describedby={describedBy}
            value={expiryDays}
            onInput={(event) => setExpiryDays(event.currentTarget.value)}
          />
        )}
      </FormField>
      <ErrorNotice error={creating.error} />
      <button type="submit" class="button primary" disabled={creating.busy}>
        {creating.busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}
