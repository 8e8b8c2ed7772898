import { describe, expect, it } from 'vitest';
import { isPrettyFormat } from './logger.js';

describe('the log format on stderr', () => {
  it('is human on a terminal and JSON when piped, unless a format is asked for', () => {
    expect(isPrettyFormat('auto', { isTTY: true })).toBe(true);
    expect(isPrettyFormat('auto', {})).toBe(false);
    expect(isPrettyFormat('json', { isTTY: true })).toBe(false);
    expect(isPrettyFormat('pretty', {})).toBe(true);
  });
});
