import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { stopLiveEvents } from '../lib/live-events';
import { navigate } from '../lib/router';
import { type Session, signOut } from '../lib/session';
import { Link } from './link';

interface NavItem {
  href: string;
  label: string;
  admin?: boolean;
}

export const NAV: readonly NavItem[] = [
  { href: '/', label: 'Overview' },
  { href: '/vms', label: 'VMs' },
  { href: '/executions', label: 'Executions' },
  { href: '/tasks', label: 'Tasks' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/snapshots', label: 'Snapshots' },
  { href: '/logs', label: 'Logs' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/keys', label: 'API keys' },
  { href: '/integrations', label: 'Integrations', admin: true },
  { href: '/queue', label: 'Queue', admin: true },
];

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

/** The frame of every signed-in page: skip link, top bar, navigation, the page. */
export function Layout({
  session,
  path,
  children,
}: {
  session: Session;
  path: string;
  children: ComponentChildren;
}) {
  const [menuOpen, setMenuOpen] = useState(false);
  const leave = async () => {
    stopLiveEvents();
    await signOut().catch(() => {});
    navigate('/sign-in');
  };
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <Link href="/" class="brand">
          Aetherium
        </Link>
        <span class="who">
          <span class="sr-only">Signed in as </span>
          {session.subject} · project <strong>{session.project}</strong>
          {session.admin ? <span class="tag">admin</span> : null}
        </span>
        {/* With auth off (loopback only) there is no session to end. */}
        {session.credentials === 'session' ? (
          <button type="button" class="button" onClick={leave}>
            Sign out
          </button>
        ) : null}
      </header>
      <nav id="nav" class={menuOpen ? 'nav open' : 'nav'} aria-label="Main">
        <ul>
          {NAV.filter((item) => !item.admin || session.admin).map((item) => (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={isCurrent(item.href, path) ? 'page' : undefined}
                onClick={() => setMenuOpen(false)}
              >
                {item.label}
              </Link>
            </li>
          ))}
          <li>
            <a href="/docs">API docs</a>
          </li>
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
