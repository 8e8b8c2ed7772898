import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where `aether up` leaves the local admin key and the CLI finds it: a JSON map from gateway URL
 * to key, readable by its owner only. The CLI never opens a data directory; this file is the one
 * thing the two share, and only through the user's own config directory.
 */
export interface CredentialsFile {
  gateways: Record<string, { api_key: string }>;
}

export function defaultCredentialsPath(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'aetherium', 'credentials.json');
}

export function readCredentials(file: string): CredentialsFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CredentialsFile>;
    const gateways = parsed && typeof parsed.gateways === 'object' && parsed.gateways ? parsed.gateways : {};
    return { gateways };
  } catch {
    return { gateways: {} };
  }
}

/** Written whole to a temporary file and renamed, mode 0600, so no reader sees half of it. */
export function saveGatewayKey(file: string, url: string, apiKey: string): void {
  const current = readCredentials(file);
  current.gateways[normaliseUrl(url)] = { api_key: apiKey };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '[::]']);

function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The key saved for `url`: an exact match, else one saved for the same port on a loopback or
 * wildcard address (`localhost:8080` and `127.0.0.1:8080` are the same local gateway).
 */
export function findGatewayKey(file: string, url: string): string | null {
  const { gateways } = readCredentials(file);
  const exact = gateways[normaliseUrl(url)];
  if (exact?.api_key) return exact.api_key;
  let wanted: URL;
  try {
    wanted = new URL(url);
  } catch {
    return null;
  }
  if (!LOOPBACK_HOSTS.has(wanted.hostname)) return null;
  for (const [saved, entry] of Object.entries(gateways)) {
    if (!URL.canParse(saved)) continue;
    const candidate = new URL(saved);
    if (LOOPBACK_HOSTS.has(candidate.hostname) && candidate.port === wanted.port && entry?.api_key) {
      return entry.api_key;
    }
  }
  return null;
}
