import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/states';
import { navigate } from '../lib/router';
import { signIn } from '../lib/session';
import { useAction } from '../lib/use-action';

/** Sign-in with an API key or a JWT; the gateway answers with an HttpOnly session cookie. */
export function SignInPage({ next }: { next: string }) {
  const [token, setToken] = useState('');
  const signingIn = useAction();
  const enter = async () => {
    await signIn(token.trim());
    setToken('');
    navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/');
  };
  return (
    <main id="main" class="sign-in">
      <form class="card" onSubmit={signingIn.submit(enter)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Aetherium</h1>
        <p class="muted">
          Paste an API key (<code>aether key create</code> makes one) or a JWT from your identity provider. It
          is exchanged for a session cookie and not stored in this browser.
        </p>
        <div class="field">
          <label for="token">API key or JWT</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            required
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </div>
        <ErrorNotice error={signingIn.error} />
        <button class="button primary" type="submit" disabled={signingIn.busy || token.trim() === ''}>
          {signingIn.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
