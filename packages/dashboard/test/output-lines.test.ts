import { describe, expect, it } from 'vitest';
import { appendOutput, base64Bytes, emptyOutput, MAX_OUTPUT_LINES } from '../src/components/vm/output-lines';

const shown = (model: ReturnType<typeof emptyOutput>) =>
  model.lines.map((l) => `${l.stream}:${l.text}${l.open ? '…' : ''}`);

describe('command output as lines', () => {
  it('joins chunks of one stream into lines', () => {
    const model = emptyOutput();
    appendOutput(model, 'stdout', 'hel');
    appendOutput(model, 'stdout', 'lo\nwor');
    appendOutput(model, 'stdout', 'ld\n');
    expect(shown(model)).toEqual(['stdout:hello', 'stdout:world']);
  });

  it('gives each line one stream, so stderr lines can be marked', () => {
    const model = emptyOutput();
    appendOutput(model, 'stdout', 'a\npartial');
    appendOutput(model, 'stderr', 'oops\n');
    appendOutput(model, 'stdout', 'b\n\nc');
    expect(shown(model)).toEqual([
      'stdout:a',
      'stdout:partial',
      'stderr:oops',
      'stdout:b',
      'stdout:',
      'stdout:c…',
    ]);
  });

  it('keeps the newest lines when there are too many', () => {
    const model = emptyOutput();
    appendOutput(model, 'stdout', 'x\n'.repeat(MAX_OUTPUT_LINES + 10));
    expect(model.lines).toHaveLength(MAX_OUTPUT_LINES);
    expect(model.dropped).toBe(10);
  });

  it('knows when nothing was written', () => {
    const model = emptyOutput();
    appendOutput(model, 'stdout', '');
    expect(model.any).toBe(false);
  });

  it("decodes the stream's base64 to the exact bytes", () => {
    expect([...base64Bytes(btoa(String.fromCharCode(0, 255, 10)))]).toEqual([0, 255, 10]);
  });
});
