/**
 * Values in the Go version's forms, turned into ours: Go durations (`5s`, `20m`), the parts of
 * a PostgreSQL or Redis address (host, port, user, password, database) as one URL, and tool
 * names (`nodejs@20`, `claude-code@latest`). Shared by the config file's keys and the
 * environment variables of that version.
 */
import { SEED_LATEST_VERSION, toolNameOfSeed } from '../../core/seed-tool-names.js';

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `1h30m`, `5s`, `250ms` in ms (rounded); null when `text` is not a Go duration. */
export function goDurationMs(text: string): number | null {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text.trim()) return null;
  return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS_MS[unit!]!, 0));
}

/** A URL for a message: the password replaced by `***`. */
export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^/:@]*:)[^/@]*@/, '$1***@');
}

/** A host for a URL: an IPv6 address in brackets. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export interface PostgresParts {
  host: string;
  port: string;
  user: string;
  password: string;
  database: string;
  sslmode: string;
}

/** The parts of a PostgreSQL address as a URL; user, password and database URL-encoded. */
export function postgresUrl(parts: PostgresParts): string {
  const password = parts.password === '' ? '' : `:${encodeURIComponent(parts.password)}`;
  const login = parts.user === '' && password === '' ? '' : `${encodeURIComponent(parts.user)}${password}@`;
  const query = parts.sslmode === '' ? '' : `?sslmode=${encodeURIComponent(parts.sslmode)}`;
  return `postgres://${login}${urlHost(parts.host)}:${parts.port}/${encodeURIComponent(parts.database)}${query}`;
}

export interface RedisParts {
  /** `host:port`, as the Go version's `addr` and REDIS_ADDR give it. */
  addr: string;
  password: string;
  /** Database index; empty = the server's default (0). */
  db: string;
}

/** The parts of a Redis address as a URL; null when `addr` is not `host:port`. */
export function redisUrl(parts: RedisParts): string | null {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(parts.addr.trim());
  if (!match) return null;
  const login = parts.password === '' ? '' : `:${encodeURIComponent(parts.password)}@`;
  const db = parts.db === '' ? '' : `/${parts.db}`;
  return `redis://${login}${match[1]}:${match[2]}${db}`;
}

/** Versions the Go version's lists name that are what we install anyway. */
const DEFAULT_VERSIONS: Record<string, string> = { node: '20' };

export interface ToolList {
  /** Our names, comma-separated, for `vmm.default_tools`. */
  names: string;
  /** `name@version` entries whose version cannot be kept in a default list. */
  droppedVersions: string[];
}

/** `git, nodejs@20, claude-code@latest` → `git,node,claude`, noting versions that are lost. */
export function toolList(entries: readonly string[]): ToolList {
  const names: string[] = [];
  const droppedVersions: string[] = [];
  for (const entry of entries.map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('@');
    const written = at === -1 ? entry : entry.slice(0, at);
    const version = at === -1 ? '' : entry.slice(at + 1);
    const name = toolNameOfSeed(written);
    if (version !== '' && version !== SEED_LATEST_VERSION && version !== DEFAULT_VERSIONS[name]) {
      droppedVersions.push(entry);
    }
    names.push(name);
  }
  return { names: names.join(','), droppedVersions };
}
