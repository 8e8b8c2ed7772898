import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../redact-url.js';
import { appPath, pathPrefix } from './app-path.js';
import { normalDomain, parsePreviewHost, previewUrl } from './preview-addresses.js';
import { previewCookieHeader, queryParameter } from './preview-credentials.js';
import { previewCookie, withoutPreviewCookie } from './proxy-headers.js';

const VM = '0b6e1c7a-3f8e-4d2b-9a41-5c7d8e9f0a1b';
const TOKEN = `aep_${'x'.repeat(43)}`;

function request(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

describe('the app path', () => {
  it('skips the prefix and drops only the named parameters, leaving every byte else as sent', () => {
    expect(appPath('/preview/t/a/b%2Fc?x=%20&aether_token=t&y', 2, ['aether_token'])).toBe(
      '/a/b%2Fc?x=%20&y',
    );
    expect(appPath('/preview/t/', 2, [])).toBe('/');
    expect(appPath('/preview/t/?aether_token=t', 2, ['aether_token'])).toBe('/');
    expect(appPath('/a?access_token=k', 0, ['access_token'])).toBe('/a');
    expect(appPath('/a?aether%5Ftoken=t&b=1', 0, ['aether_token'])).toBe('/a?b=1');
    expect(pathPrefix('/api/v1/vms/dev/ports/80/proxy/x?y', 7)).toBe('/api/v1/vms/dev/ports/80/proxy');
  });
});

describe('preview addresses', () => {
  it('parse a preview host, and only one that names a port and a VM id', () => {
    expect(parsePreviewHost(`3000-${VM}.preview.example.com`, 'preview.example.com')).toEqual({
      port: 3000,
      vmId: VM,
    });
    expect(parsePreviewHost(`8080-${VM}.Preview.Example.com:443`, 'preview.example.com')).toEqual({
      port: 8080,
      vmId: VM,
    });
    for (const host of [
      `0-${VM}.p.io`,
      `70000-${VM}.p.io`,
      `3000-dev.p.io`,
      `a.3000-${VM}.p.io`,
      `3000-${VM}.q.io`,
    ]) {
      expect(parsePreviewHost(host, 'p.io'), host).toBeNull();
    }
    expect(normalDomain(' .Preview.Example.COM. ')).toBe('preview.example.com');
  });

  it('hand out the public URL when configured, else the request’s own origin', () => {
    const preview = { token: TOKEN, port: 3000, vmId: VM };
    expect(previewUrl({}, request({ host: 'gw:8080' }), preview)).toBe(`http://gw:8080/preview/${TOKEN}/`);
    expect(previewUrl({}, request({ host: 'gw', 'x-forwarded-proto': 'https' }), preview)).toBe(
      `https://gw/preview/${TOKEN}/`,
    );
    expect(
      previewUrl({ publicUrl: 'https://aether.example.com/base/' }, request({ host: 'x' }), preview),
    ).toBe(`https://aether.example.com/base/preview/${TOKEN}/`);
    expect(
      previewUrl(
        { domain: 'preview.example.com', publicUrl: 'https://aether.example.com' },
        request({ host: 'x:1' }),
        preview,
      ),
    ).toBe(`https://3000-${VM}.preview.example.com/?aether_token=${TOKEN}`);
    expect(previewUrl({ domain: 'p.test' }, request({ host: '127.0.0.1:8080' }), preview)).toBe(
      `http://3000-${VM}.p.test:8080/?aether_token=${TOKEN}`,
    );
  });
});

describe('preview credentials', () => {
  it('find the token in the query and the cookie, and keep other cookies', () => {
    expect(queryParameter('/a?aether_token=t1&b=2', 'aether_token')).toBe('t1');
    expect(queryParameter('/a?b=2', 'aether_token')).toBeUndefined();
    expect(previewCookie('a=1; aether_preview=t2; b=2')).toBe('t2');
    expect(withoutPreviewCookie('a=1; aether_preview=t2; b=2')).toBe('a=1; b=2');
    expect(withoutPreviewCookie('aether_preview=t2')).toBeUndefined();
    // The dashboard's session never reaches an app either.
    expect(withoutPreviewCookie('a=1; aether_session=s; aether_preview=t2; b=2')).toBe('a=1; b=2');
    expect(previewCookieHeader('t', 59.9, true)).toBe(
      'aether_preview=t; Path=/; Max-Age=59; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('never show up in a logged URL', () => {
    expect(redactUrl(`/preview/${TOKEN}/a?b=1`)).toBe('/preview/***/a?b=1');
    expect(redactUrl(`/x?aether_token=${TOKEN}&b=1`)).toBe('/x?aether_token=***&b=1');
    expect(redactUrl('/api/v1/logs/stream?access_token=aek_x')).toBe('/api/v1/logs/stream?access_token=***');
  });
});
