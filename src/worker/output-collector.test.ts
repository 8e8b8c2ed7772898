import { describe, expect, it } from 'vitest';
import { OutputCollector } from './output-collector.js';

describe('OutputCollector', () => {
  it('keeps everything under the limit', () => {
    const c = new OutputCollector(100);
    c.push(Buffer.from('hello '));
    c.push(Buffer.from('world'));
    expect(c.text()).toBe('hello world');
    expect(c.truncated).toBe(false);
  });

  it('cuts at the limit and marks the output truncated', () => {
    const c = new OutputCollector(8);
    c.push(Buffer.from('12345'));
    c.push(Buffer.from('67890'));
    c.push(Buffer.from('more'));
    expect(c.text()).toBe('12345678');
    expect(c.truncated).toBe(true);
  });

  it('keeps multi-byte characters whole across chunk boundaries', () => {
    const bytes = Buffer.from('añb', 'utf8');
    const c = new OutputCollector(100);
    c.push(bytes.subarray(0, 2));
    c.push(bytes.subarray(2));
    expect(c.text()).toBe('añb');
  });

  it('never keeps half a character when the limit falls inside one', () => {
    const c = new OutputCollector(2);
    c.push(Buffer.from('añ', 'utf8'));
    expect(c.text()).toBe('a');
    expect(c.truncated).toBe(true);
  });
});
