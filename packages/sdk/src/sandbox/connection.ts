/**
 * Where a Sandbox finds its gateway and key when not told: `AETHER_URL` (default
 * http://127.0.0.1:8080) and `AETHER_TOKEN`, else the key `aether up` saved for that gateway in
 * the credentials file (`AETHER_CREDENTIALS_FILE`, default ~/.config/aetherium/credentials.json),
 * so that a program next to `npm start` needs no configuration at all.
 */
import { AetherClient } from '../client/client.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface ConnectionOptions {
  /** The gateway, e.g. `https://aether.example.com`. Default: `AETHER_URL`, else the local one. */
  apiUrl?: string;
  /** An API key or a JWT. Default: `AETHER_TOKEN`, else the key saved by `aether up`. */
  apiKey?: string;
  /** An existing client to share (its URL and key win over the two above). */
  client?: AetherClient;
}

type Environment = Readonly<Record<string, string | undefined>>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '[::]']);

function processEnvironment(): Environment {
  return (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
}

/** The client for these options; reads the environment and the credentials file only as needed. */
export async function clientFor(
  options: ConnectionOptions = {},
  env = processEnvironment(),
): Promise<AetherClient> {
  if (options.client) return options.client;
  const baseUrl = options.apiUrl ?? (env.AETHER_URL || DEFAULT_API_URL);
  const token = options.apiKey ?? (env.AETHER_TOKEN || (await savedKey(env, baseUrl)));
  return new AetherClient({ baseUrl, ...(token ? { token } : {}) });
}

/**
 * The key saved for `url`: an exact match, else one saved for the same port on a loopback or
 * wildcard address (`localhost:8080` and `127.0.0.1:8080` are the same local gateway).
 */
export async function savedKey(env: Environment, url: string): Promise<string | undefined> {
  const gateways = await readSavedGateways(env);
  const exact = gateways[url.replace(/\/+$/, '')]?.api_key;
  if (exact) return exact;
  if (!URL.canParse(url)) return undefined;
  const wanted = new URL(url);
  if (!LOOPBACK_HOSTS.has(wanted.hostname)) return undefined;
  for (const [saved, entry] of Object.entries(gateways)) {
    if (!URL.canParse(saved)) continue;
    const candidate = new URL(saved);
    if (LOOPBACK_HOSTS.has(candidate.hostname) && candidate.port === wanted.port && entry?.api_key) {
      return entry.api_key;
    }
  }
  return undefined;
}

type SavedGateways = Record<string, { api_key?: string } | undefined>;

async function readSavedGateways(env: Environment): Promise<SavedGateways> {
  // Only where there is a file system: in a browser there is no credentials file to read.
  if (!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) return {};
  const [{ readFile }, os, path] = await Promise.all([
    import('node:fs/promises'),
    import('node:os'),
    import('node:path'),
  ]);
  const file =
    env.AETHER_CREDENTIALS_FILE ||
    path.join(
      env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config'),
      'aetherium',
      'credentials.json',
    );
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { gateways?: unknown };
    return parsed.gateways && typeof parsed.gateways === 'object' ? (parsed.gateways as SavedGateways) : {};
  } catch {
    return {};
  }
}
