import { describe, expect, it } from 'vitest';
import { cutMiddle } from './text-limits.js';

describe('cutMiddle', () => {
  it('leaves text within the room whole', () => {
    expect(cutMiddle('abc', 3)).toEqual({ text: 'abc', omitted: 0 });
  });

  it('keeps a quarter of the room for the start, the rest for the end, and says how much went', () => {
    const { text, omitted } = cutMiddle(`${'a'.repeat(50)}${'b'.repeat(50)}`, 40);
    expect(omitted).toBe(60);
    expect(text).toBe(`${'a'.repeat(10)}\n[… 60 characters left out …]\n${'b'.repeat(30)}`);
  });

  it('never cuts a character made of two UTF-16 units in two', () => {
    const { text } = cutMiddle('😀'.repeat(40), 21);
    // A lone surrogate would not survive a round trip through UTF-8.
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  });
});
