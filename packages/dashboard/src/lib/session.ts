// Who is signed in. The session itself is an HttpOnly cookie the gateway set; the page only
// knows what GET /sessions/current says about it, and the CSRF token that proves a request
// comes from this page.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, type Schemas, setCsrfToken } from './api';

/** What GET /sessions/current answers (`Session` in the API document). */
export type Session = Schemas['Session'];

type Listener = (session: Session | null) => void;
let session: Session | null = null;
let known = false;
const listeners = new Set<Listener>();

function publish(next: Session | null): void {
  session = next;
  known = true;
  setCsrfToken(next?.csrf_token ?? null);
  for (const listener of listeners) listener(next);
}

/** Asks the gateway whether this browser holds a live session. */
export async function loadSession(): Promise<Session | null> {
  try {
    publish(await call<Session>('GET', '/sessions/current'));
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 404)) throw error;
    publish(null);
  }
  return session;
}

/** Trades an API key or JWT for a session cookie; the token is not kept anywhere in the page. */
export async function signIn(token: string): Promise<Session> {
  const created = await call<Session>('POST', '/sessions', { body: { token } });
  publish(created);
  return created;
}

/** Revokes the session on the gateway (the cookie stops working everywhere) and forgets it here. */
export async function signOut(): Promise<void> {
  try {
    await call('DELETE', '/sessions/current');
  } finally {
    publish(null);
  }
}

/** The session was refused by the API (expired, revoked): back to sign-in. */
export function sessionLost(): void {
  if (session) publish(null);
}

/** `undefined` while the first check runs; then the session or null. */
export function useSession(): Session | null | undefined {
  const [value, setValue] = useState<Session | null | undefined>(known ? session : undefined);
  useEffect(() => {
    const listener: Listener = (next) => setValue(next);
    listeners.add(listener);
    if (known) setValue(session);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return value;
}
