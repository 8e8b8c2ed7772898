/**
 * A URL as logs may show it: credentials that ride in URLs (a browser's stream token, a preview
 * URL's token in its path or query) masked.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/([?&](?:access_token|aether_token)=)[^&]*/g, '$1***')
    .replace(/^(\/preview\/)[^/?]+/, '$1***');
}
