/**
 * The admin key of each gateway a test started, by URL, so helpers that only get a URL (the CLI
 * runner) can authenticate as the user of `aether up` would: with the key it saved.
 */
const keys = new Map<string, string>();

export function rememberGatewayKey(url: string, key: string): void {
  keys.set(url.replace(/\/+$/, ''), key);
}

export function gatewayKey(url: string): string | undefined {
  return keys.get(url.replace(/\/+$/, ''));
}
