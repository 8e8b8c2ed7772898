// xterm.js, loaded only when a terminal is shown: the first page stays small.
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';

export interface TerminalScreen {
  term: Terminal;
  fit: FitAddon;
}

/** How long after Escape a Tab leaves the terminal instead of going to the shell. */
const ESCAPE_WINDOW_MS = 2000;

export async function createTerminalScreen(host: HTMLElement): Promise<TerminalScreen> {
  const [{ Terminal }, { FitAddon }] = await Promise.all([
    import('@xterm/xterm'),
    import('@xterm/addon-fit'),
    import('@xterm/xterm/css/xterm.css'),
  ]);
  const term = new Terminal({
    cursorBlink: true,
    fontSize: 14,
    fontFamily: "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    theme: { background: '#000000', foreground: '#e6edf3' },
  });
  // The shell wants Tab, so the terminal would trap keyboard users: Escape then Tab moves focus
  // on, as in CodeMirror (the Escape still reaches the shell).
  let escapedAt = 0;
  term.attachCustomKeyEventHandler((event) => {
    if (event.type !== 'keydown') return true;
    if (event.key === 'Escape') escapedAt = Date.now();
    else if (event.key === 'Tab' && Date.now() - escapedAt < ESCAPE_WINDOW_MS) return false;
    return true;
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(host);
  fit.fit();
  return { term, fit };
}

/** Bytes of a binary string (xterm's onBinary: one char per byte, e.g. some mouse reports). */
export function binaryStringBytes(data: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}
