import { describe, expect, it } from 'vitest';
import { parsePortPair } from './port-forward.js';

describe('port pairs', () => {
  it('reads LOCAL:REMOTE, PORT and :REMOTE as kubectl does', () => {
    expect(parsePortPair('8000:3000')).toEqual({ local: 8000, remote: 3000 });
    expect(parsePortPair('3000')).toEqual({ local: 3000, remote: 3000 });
    expect(parsePortPair(':3000')).toEqual({ local: 0, remote: 3000 });
  });

  it('refuses what is not a port pair, saying what would be', () => {
    for (const bad of ['', 'abc', '0', '70000', '1:2:3', '-1:80', '80:0']) {
      expect(() => parsePortPair(bad)).toThrow(/LOCAL:REMOTE/);
    }
  });
});
