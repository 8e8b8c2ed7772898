import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../core/outbound-webhooks.js';
import { signWebhook, verifyWebhook } from '../../core/webhook-signature.js';
import { AddressPolicy } from './address-policy.js';
import { judge } from './dispatcher.js';

describe('the webhook address policy', () => {
  const strict = new AddressPolicy({ allowPrivate: false, allowCidrs: [] });

  it('refuses internal addresses in every spelling, and lets public ones through', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.255.255',
      '192.168.0.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fd00:ec2::254',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
    ]) {
      expect(strict.refusal(address), address).not.toBeNull();
    }
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:5db8:d822']) {
      expect(strict.refusal(address), address).toBeNull();
    }
  });

  it('allows listed CIDRs only, or everything with allow_private', () => {
    const listed = new AddressPolicy({
      allowPrivate: false,
      allowCidrs: ['10.20.0.0/16', 'fd00::/8', '127.0.0.1'],
    });
    expect(listed.refusal('10.20.3.4')).toBeNull();
    expect(listed.refusal('fd12::1')).toBeNull();
    expect(listed.refusal('127.0.0.1')).toBeNull();
    expect(listed.refusal('127.0.0.2')).not.toBeNull();
    expect(listed.refusal('10.21.0.1')).not.toBeNull();
    expect(new AddressPolicy({ allowPrivate: true, allowCidrs: [] }).refusal('169.254.169.254')).toBeNull();
  });

  it('checks a name by every address it resolves to', async () => {
    await expect(strict.checkUrl('http://localhost:9/x')).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_URL_REFUSED',
    });
    await expect(strict.checkUrl('gopher://example.com/')).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_URL_REFUSED',
    });
  });
});

describe('delivery attempts', () => {
  const settings = {
    timeoutMs: 1000,
    retryBaseMs: 1000,
    retryMaxMs: 8000,
    retryForMs: 60_000,
    pollIntervalMs: 100,
  };

  it('deliver on 2xx, retry no answer, 429 and 5xx, and fail any other answer at once', () => {
    expect(judge({ answered: true, statusCode: 204 }, 1, settings).kind).toBe('delivered');
    for (const statusCode of [429, 500, 503])
      expect(judge({ answered: true, statusCode }, 1, settings).kind).toBe('retry');
    expect(judge({ answered: false, error: 'ECONNREFUSED', refused: false }, 1, settings).kind).toBe('retry');
    for (const statusCode of [301, 400, 401, 404, 410])
      expect(judge({ answered: true, statusCode }, 1, settings).kind).toBe('failed');
    expect(judge({ answered: false, error: 'address refused', refused: true }, 1, settings).kind).toBe(
      'failed',
    );
  });

  it('wait exponentially longer, capped, with jitter that takes off at most half', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1000, 8000, () => 0))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
    expect(retryDelayMs(3, 1000, 8000, () => 1)).toBe(2000);
  });

  it('sign "<timestamp>.<body>" so that a receiver can verify it, within a tolerance', () => {
    const signature = signWebhook('k', 1000, '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook('k', { timestamp: '1000', signature }, '{"a":1}', { now: 1100 })).toBe(true);
    expect(verifyWebhook('k', { timestamp: '1000', signature }, '{"a":1}', { now: 2000 })).toBe(false);
    expect(verifyWebhook('k', { timestamp: '1001', signature }, '{"a":1}', { now: 1100 })).toBe(false);
  });
});
