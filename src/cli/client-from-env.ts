import { AetherClient } from '@aetherium/sdk';
import { defaultCredentialsPath, findGatewayKey } from '../core/credentials-file.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * Every client command reaches the gateway; none opens the data directory itself. The token is
 * AETHER_TOKEN (an API key or a JWT), else the key `aether up` saved for this gateway URL in the
 * credentials file (AETHER_CREDENTIALS_FILE, default ~/.config/aetherium/credentials.json).
 */
export function clientFromEnv(env: NodeJS.ProcessEnv = process.env): AetherClient {
  const baseUrl = env.AETHER_URL || DEFAULT_URL;
  const token =
    env.AETHER_TOKEN || findGatewayKey(env.AETHER_CREDENTIALS_FILE || defaultCredentialsPath(env), baseUrl);
  return new AetherClient({ baseUrl, ...(token ? { token } : {}) });
}
