import type { Session } from '../lib/session';

/** What every page gets from the router: the path's named parts, the query (filters), who is in. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
  session: Session;
}
