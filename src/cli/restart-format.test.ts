import { describe, expect, it } from 'vitest';
import { parseRestartPolicy } from './restart-format.js';

describe('parseRestartPolicy', () => {
  it("takes Docker's spellings", () => {
    expect(parseRestartPolicy('never')).toEqual({ restart_policy: 'never' });
    expect(parseRestartPolicy('on-failure')).toEqual({ restart_policy: 'on-failure' });
    expect(parseRestartPolicy('on-failure:5')).toEqual({ restart_policy: 'on-failure', restart_max: 5 });
  });

  it('refuses anything else, saying what to use', () => {
    for (const text of ['always', 'on-failure:', 'on-failure:x', 'never:2', 'unless-stopped']) {
      expect(() => parseRestartPolicy(text), text).toThrow(/use never, on-failure or on-failure:N/);
    }
  });
});
