import { useState } from 'preact/hooks';
import { ErrorNotice } from '../../components/states';
import { post, type Schemas } from '../../lib/api';
import type { Session } from '../../lib/session';
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
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const created = await post<Schemas['CreatedKey']>('/keys', requestOf(name, project, admin, expiryDays));
      setName('');
      setProject('');
      setAdmin(false);
      setExpiryDays('');
      onCreated(created);
    } catch (cause) {
      setError(cause as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      <div class="field">
        <label for="key-name">Name</label>
        <input
          id="key-name"
          required
          maxLength={100}
          aria-describedby="key-name-hint"
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <span id="key-name-hint" class="hint">
          What the key is for, e.g. "ci on main".
        </span>
      </div>
      {session.admin ? (
        <>
          <div class="field">
            <label for="key-project">Project</label>
            <input
              id="key-project"
              placeholder={session.project}
              aria-describedby="key-project-hint"
              value={project}
              onInput={(event) => setProject(event.currentTarget.value)}
            />
            <span id="key-project-hint" class="hint">
              Empty: your own project ({session.project}).
            </span>
          </div>
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
      <div class="field">
        <label for="key-expiry">Expires in (days)</label>
        <input
          id="key-expiry"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_EXPIRY_DAYS}
          aria-describedby="key-expiry-hint"
          value={expiryDays}
          onInput={(event) => setExpiryDays(event.currentTarget.value)}
        />
        <span id="key-expiry-hint" class="hint">
          Empty: the key never expires.
        </span>
      </div>
      <ErrorNotice error={error} />
      <button type="submit" class="button primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}
