// A command's output as lines, each from one stream, so stderr can be marked line by line.
// Mutated in place: output arrives in many small chunks, and copying thousands of lines for
// each would cost more than drawing them.

export type OutputStream = 'stdout' | 'stderr';

export interface OutputLine {
  stream: OutputStream;
  text: string;
  /** Not ended by a newline yet: the next text of the same stream continues it. */
  open: boolean;
}

export interface OutputModel {
  lines: OutputLine[];
  /** Lines dropped from the start to keep the page responsive. */
  dropped: number;
  /** Any text at all arrived (a command may print nothing). */
  any: boolean;
}

/** Lines kept on screen; older ones are dropped (the execution keeps its own output). */
export const MAX_OUTPUT_LINES = 5000;

export function emptyOutput(): OutputModel {
  return { lines: [], dropped: 0, any: false };
}

export function appendOutput(model: OutputModel, stream: OutputStream, text: string): void {
  if (text === '') return;
  model.any = true;
  const parts = text.split('\n');
  parts.forEach((part, index) => {
    const isLast = index === parts.length - 1;
    const last = model.lines.at(-1);
    if (index === 0 && last?.open && last.stream === stream) {
      last.text += part;
      last.open = isLast;
      return;
    }
    // A trailing newline ends the line; it does not start an empty one.
    if (isLast && part === '') return;
    // Text of the other stream starts its own line even mid-line, so every line has one source.
    if (last?.open) last.open = false;
    model.lines.push({ stream, text: part, open: isLast });
  });
  const excess = model.lines.length - MAX_OUTPUT_LINES;
  if (excess > 0) {
    model.lines.splice(0, excess);
    model.dropped += excess;
  }
}

/** Base64 (the stream's encoding of the exact bytes) to bytes. */
export function base64Bytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
