import { useEffect, useState } from 'preact/hooks';
import { Layout } from './components/layout';
import { Page } from './components/page';
import { ErrorNotice, Loading } from './components/states';
import { whenUnauthenticated } from './lib/api';
import { href, match, navigate, useLocation } from './lib/router';
import { loadSession, sessionLost, useSession } from './lib/session';
import { SignInPage } from './pages/sign-in';
import { ROUTES } from './routes';

whenUnauthenticated(sessionLost);

function NotFound() {
  return (
    <Page title="Not found">
      <p>There is no page at this address.</p>
    </Page>
  );
}

export function App() {
  const location = useLocation();
  const session = useSession();
  const [startError, setStartError] = useState<Error | undefined>();
  useEffect(() => {
    loadSession().catch((error: Error) => setStartError(error));
  }, []);

  // Signed out (or never in): sign-in remembers where the user was going.
  useEffect(() => {
    if (session === null && location.path !== '/sign-in') {
      navigate(
        href('/sign-in', { next: location.path + (location.query.size ? `?${location.query}` : '') }),
        {
          replace: true,
        },
      );
    }
    if (session && location.path === '/sign-in')
      navigate(location.query.get('next') ?? '/', { replace: true });
  }, [session, location.path, location.query]);

  if (startError) return <ErrorNotice error={startError} />;
  if (session === undefined) return <Loading what="Checking your session" />;
  if (session === null) return <SignInPage next={location.query.get('next') ?? '/'} />;

  for (const route of ROUTES) {
    const params = match(route.pattern, location.path);
    if (!params || (route.admin && !session.admin)) continue;
    const PageComponent = route.page;
    return (
      <Layout session={session} path={location.path}>
        <PageComponent key={location.path} params={params} query={location.query} session={session} />
      </Layout>
    );
  }
  return (
    <Layout session={session} path={location.path}>
      <NotFound />
    </Layout>
  );
}
