import { useState } from 'preact/hooks';
import { Page } from '../components/page';
import { ErrorNotice, Loading } from '../components/states';
import { del, get, type Schemas, seg } from '../lib/api';
import { useAction } from '../lib/use-action';
import { useApi } from '../lib/use-api';
import { CreateKeyForm } from './keys/create-key-form';
import { KeyTable } from './keys/key-table';
import { OneTimeSecret } from './keys/one-time-secret';
import type { PageProps } from './page-props';

/** API keys of the caller's project (an admin's: every project's): create, with the secret shown once; revoke. */
export function KeysPage({ session }: PageProps) {
  const keys = useApi((signal) => get<Schemas['ApiKeyList']>('/keys', undefined, signal), []);
  const [created, setCreated] = useState<Schemas['CreatedKey'] | undefined>();
  const revoking = useAction();
  const revoke = async (key: Schemas['ApiKey']) => {
    await revoking.run(() => del<Schemas['ApiKey']>(`/keys/${seg(key.id)}`));
    keys.reload();
  };
  return (
    <Page title="API keys">
      {created ? (
        <OneTimeSecret
          title={`New key: ${created.key.name}`}
          secret={created.secret}
          usage={'Send it as "Authorization: Bearer <key>", or sign in here with it.'}
          onDone={() => setCreated(undefined)}
        />
      ) : null}
      <CreateKeyForm
        session={session}
        onCreated={(key) => {
          setCreated(key);
          keys.reload();
        }}
      />
      <h2>Keys</h2>
      <ErrorNotice error={revoking.error} />
      <ErrorNotice error={keys.error} />
      {keys.data ? (
        <KeyTable keys={keys.data.keys} ownKeyId={session.key_id} onRevoke={revoke} />
      ) : keys.loading ? (
        <Loading what="Loading keys" />
      ) : null}
    </Page>
  );
}
