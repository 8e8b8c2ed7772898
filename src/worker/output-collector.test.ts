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

describe('OutputCollector, byte for byte', () => {
  it('returns the part of each chunk it keeps: what is stored and streamed as that chunk', () => {
    const c = new OutputCollector(6);
    expect(c.push(Buffer.from('abcd')).toString()).toBe('abcd');
    expect(c.push(Buffer.from('efgh')).toString()).toBe('ef');
    expect(c.push(Buffer.from('ijkl')).byteLength).toBe(0);
    expect(c.text()).toBe('abcdef');
  });

  it('keeps bytes that are not UTF-8 as they are; the text shows them as U+FFFD', () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x41]);
    const c = new OutputCollector(100);
    expect(Buffer.compare(c.push(bytes), bytes)).toBe(0);
    expect(c.text()).toBe('\u0000\uFFFD\uFFFDA');
    expect(c.truncated).toBe(false);
  });

  it('copies what it keeps, so a caller reusing its buffer changes nothing', () => {
    const buffer = Buffer.from('same');
    const c = new OutputCollector(100);
    const kept = c.push(buffer);
    buffer.fill(0x2a);
    expect(kept.toString()).toBe('same');
    expect(c.text()).toBe('same');
  });

  it('backs off to the start of a 4-byte character cut by the limit', () => {
    const c = new OutputCollector(6);
    expect(c.push(Buffer.from('ab\u{1F680}', 'utf8')).toString()).toBe('ab\u{1F680}');
    const d = new OutputCollector(5);
    expect(d.push(Buffer.from('ab\u{1F680}', 'utf8')).toString()).toBe('ab');
    expect(d.truncated).toBe(true);
  });
});
