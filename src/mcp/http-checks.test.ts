import { describe, expect, it } from 'vitest';
import { hostAllowed, keyOfRequest } from './http-checks.js';

describe('keyOfRequest', () => {
  it('takes a bearer token, the scheme in any case', () => {
    expect(keyOfRequest('Bearer aek_abc_def')).toEqual({ kind: 'key', key: 'aek_abc_def' });
    expect(keyOfRequest('bearer eyJ.a-b_c.d~e+f/g==')).toEqual({ kind: 'key', key: 'eyJ.a-b_c.d~e+f/g==' });
  });

  it('tells no header from a header that is not a bearer token', () => {
    expect(keyOfRequest(undefined)).toEqual({ kind: 'none' });
    expect(keyOfRequest('')).toEqual({ kind: 'none' });
    for (const header of [
      'Basic eDp5',
      'Bearer',
      'Bearer a b',
      'Bearer a\0b',
      `Bearer ${'k'.repeat(5000)}`,
    ]) {
      expect(keyOfRequest(header), header).toEqual({ kind: 'malformed' });
    }
  });
});

describe('hostAllowed', () => {
  it('on a loopback address, serves only requests addressed to a loopback name', () => {
    for (const header of ['127.0.0.1:8090', 'localhost:8090', 'LOCALHOST', '[::1]:8090', '[::1]']) {
      expect(hostAllowed('127.0.0.1', header), header).toBe(true);
    }
    for (const header of [
      'attacker.example:8090',
      'localhost.attacker.example',
      '10.0.0.1:8090',
      undefined,
    ]) {
      expect(hostAllowed('127.0.0.1', header), String(header)).toBe(false);
    }
  });

  it('elsewhere serves any host', () => {
    expect(hostAllowed('0.0.0.0', 'mcp.example.com')).toBe(true);
  });
});
