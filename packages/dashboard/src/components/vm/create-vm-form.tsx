import { useState } from 'preact/hooks';
import { useAction } from '../../lib/use-action';
import { FormField } from '../form-field';
import { ErrorNotice } from '../states';
import {
  type CreateVmField,
  type CreateVmFields,
  createVmInput,
  EMPTY_CREATE_VM_FIELDS,
} from './create-vm-input';
import type { CreateVmRequest } from './vm-types';

interface Props {
  /** The drivers offered; null when unknown (a text box then). */
  drivers: string[] | null | undefined;
  /** Sends the request; a rejection is shown beside the form, whose fields stay as they were. */
  onCreate: (body: CreateVmRequest) => Promise<void>;
}

const DURATION_HINT = 'Seconds, or a duration such as 30m, 2h, 1d; 0: none; empty: the server’s default.';

/** The fields of a new VM; every one may stay empty for the server's defaults. */
export function CreateVmForm({ drivers, onCreate }: Props) {
  const [fields, setFields] = useState<CreateVmFields>(EMPTY_CREATE_VM_FIELDS);
  const [problems, setProblems] = useState<Partial<Record<CreateVmField, string>>>({});
  const creating = useAction();

  const set = (field: CreateVmField) => (event: { currentTarget: { value: string } }) =>
    setFields((current) => ({ ...current, [field]: event.currentTarget.value }));

  const create = async () => {
    const input = createVmInput(fields);
    if (!input.ok) {
      setProblems(input.problems);
      return;
    }
    setProblems({});
    await onCreate(input.body);
  };

  const text = (field: CreateVmField, label: string, hint: string, extra: Record<string, string> = {}) => (
    <FormField id={`vm-${field}`} label={label} hint={hint} problem={problems[field]}>
      {(describedBy, invalid) => (
        <input
          id={`vm-${field}`}
          name={field}
          value={fields[field]}
          onInput={set(field)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          autocomplete="off"
          {...extra}
        />
      )}
    </FormField>
  );

  return (
    <form class="card form-grid" onSubmit={creating.submit(create)} noValidate>
      {text(
        'name',
        'Name',
        'Optional: lowercase letters, digits and dashes; empty: a name like vm-1a2b3c4d.',
        {
          spellcheck: 'false',
        },
      )}
      <FormField id="vm-driver" label="Driver" hint="What isolates the VM." problem={problems.driver}>
        {(describedBy) =>
          drivers ? (
            <select
              id="vm-driver"
              value={fields.driver}
              onChange={set('driver')}
              aria-describedby={describedBy}
            >
              <option value="">Server default</option>
              {drivers.map((driver) => (
                <option key={driver} value={driver}>
                  {driver}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="vm-driver"
              value={fields.driver}
              onInput={set('driver')}
              aria-describedby={describedBy}
              placeholder="server default"
            />
          )
        }
      </FormField>
      {text('vcpus', 'vCPUs', '1 to 64; empty: the server’s default.', { inputmode: 'numeric' })}
      {text('memoryMiB', 'Memory (MiB)', '64 to 262144; empty: the server’s default.', {
        inputmode: 'numeric',
      })}
      {text(
        'tools',
        'Tools',
        'Besides the default set, comma separated, with a version if needed: git, node=20, python.',
      )}
      <FormField
        id="vm-labels"
        label="Labels"
        hint="One key=value per line, to find the VM by."
        problem={problems.labels}
      >
        {(describedBy, invalid) => (
          <textarea
            id="vm-labels"
            rows={3}
            value={fields.labels}
            onInput={set('labels')}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            spellcheck={false}
          />
        )}
      </FormField>
      {text('ttl', 'Lifetime (TTL)', DURATION_HINT)}
      {text('idleTimeout', 'Idle timeout', DURATION_HINT)}
      <FormField
        id="vm-onExpiry"
        label="When it expires"
        hint="What the VM becomes past its lifetime or idle timeout."
      >
        {(describedBy) => (
          <select
            id="vm-onExpiry"
            value={fields.onExpiry}
            onChange={set('onExpiry')}
            aria-describedby={describedBy}
          >
            <option value="">Server default</option>
            <option value="stop">Stopped (files kept)</option>
            <option value="delete">Deleted</option>
          </select>
        )}
      </FormField>
      <div class="form-actions">
        <ErrorNotice error={creating.error} />
        {Object.keys(problems).length > 0 ? (
          <p class="notice notice-error" role="alert">
            Some fields need fixing; each says what is wrong.
          </p>
        ) : null}
        <button type="submit" class="button primary" disabled={creating.busy}>
          {creating.busy ? 'Creating…' : 'Create VM'}
        </button>
      </div>
    </form>
  );
}
